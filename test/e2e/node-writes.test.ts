// Under Node a response's writes within one turn of the event loop reach the socket as one write
// (src/runtime/serve-node.ts). Run in real Node: the class is built for it and driven by a script
// that counts the socket's writes (each one a syscall), not by timing.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT } from "../helpers/processes.ts";
import { nodeReleases } from "../helpers/node-releases.ts";
import { runUnderNode } from "../helpers/under-node.ts";

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

async function run(node: string, variant: "coalescing" | "plain") {
  return runUnderNode<{ counts: number[]; body: string }>({ name: "node-writes", entrypoints: [join(ROOT, "src/runtime/serve-node.ts")], script: SCRIPT, args: [variant], node });
}

for (const node of nodeReleases())
  describe(node.name, () => {
    test("one socket write per event-loop turn: headers with the first events, the last event with the end", async () => {
      const { counts, body } = await run(node.bin, "coalescing");
      expect(body).toBe("event: a\n\nevent: b\n\nevent: c\n\nevent: d\n\n");
      expect(counts).toEqual([1, 2, 3]);
    }, 30_000);

    test("the count can tell: a plain ServerResponse writes more often", async () => {
      const { counts } = await run(node.bin, "plain");
      expect(counts[2]).toBeGreaterThan(3);
    }, 30_000);
  });
