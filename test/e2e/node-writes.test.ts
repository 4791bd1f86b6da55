// Under Node a response's writes within one turn of the event loop reach the socket as one write
// (src/runtime/serve-node.ts). Run in real Node: the class is built for it and driven by a script
// that counts the socket's writes (each one a syscall), not by timing.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../helpers/processes.ts";

const SCRIPT = `
import { createServer, request, ServerResponse } from "node:http";
import { CoalescingResponse } from "./serve-node.js";
const Response = process.argv[2] === "plain" ? ServerResponse : CoalescingResponse;
const turn = () => new Promise((r) => setImmediate(r));
const counts = [];
const server = createServer({ ServerResponse: Response }, async (req, res) => {
  let writes = 0;
  const generic = res.socket._writeGeneric;
  res.socket._writeGeneric = function (...args) { writes++; return generic.apply(this, args); };
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.flushHeaders();
  res.write("event: a\\n\\n");
  await Promise.resolve();
  res.write("event: b\\n\\n");
  await turn();
  counts.push(writes); // headers and both events
  res.write("event: c\\n\\n");
  await turn();
  counts.push(writes); // one more, on its own turn
  res.write("event: d\\n\\n");
  res.end();
  counts.push(writes); // the last event with the end
});
server.listen(0, "127.0.0.1", () => {
  request({ port: server.address().port, method: "POST" }, (res) => {
    let body = "";
    res.on("data", (c) => (body += c));
    res.on("end", () => { console.log(JSON.stringify({ counts, body })); server.close(); });
  }).end();
});
`;

async function run(variant: "coalescing" | "plain") {
  const dir = tempDir("node-writes");
  const built = await Bun.build({ entrypoints: [join(ROOT, "src/runtime/serve-node.ts")], outdir: dir, target: "node", format: "esm" });
  expect(built.success).toBe(true);
  writeFileSync(join(dir, "script.mjs"), SCRIPT);
  const p = Bun.spawn(["node", join(dir, "script.mjs"), variant], { stdout: "pipe", stderr: "inherit" });
  expect(await p.exited).toBe(0);
  return JSON.parse(await new Response(p.stdout).text()) as { counts: number[]; body: string };
}

test("one socket write per event-loop turn: headers with the first events, the last event with the end", async () => {
  const { counts, body } = await run("coalescing");
  expect(body).toBe("event: a\n\nevent: b\n\nevent: c\n\nevent: d\n\n");
  expect(counts).toEqual([1, 2, 3]);
}, 30_000);

test("the count can tell: a plain ServerResponse writes more often", async () => {
  const { counts } = await run("plain");
  expect(counts[2]).toBeGreaterThan(3);
}, 30_000);
