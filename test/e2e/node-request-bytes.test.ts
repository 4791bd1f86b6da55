// Under Node the /v1/messages body is read straight from the IncomingMessage
// (src/runtime/request-bytes.ts). Run in real Node behind listen(): each body of the table sent
// over a raw socket, read once that way and once through the adapter (Request.arrayBuffer(), the
// slow path), must give the same bytes and leave no listener on it; a client that leaves mid-body must end the read with an
// error, not leave it waiting.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { ROOT } from "../helpers/processes.ts";
import { nodeReleases } from "../helpers/node-releases.ts";
import { runUnderNode } from "../helpers/under-node.ts";

const hono = JSON.stringify(pathToFileURL(join(ROOT, "node_modules/hono/dist/index.js")).href);
const SCRIPT = `
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { Hono } from ${hono};
import { listen } from "./serve.js";
import { requestBytes } from "./request-bytes.js";
const sha = (b) => createHash("sha256").update(b).digest("hex");
const outcomes = [];
const app = new Hono();
const EVENTS = ["data", "end", "close"]; // an error listener stays: a no-op, which holds nothing
const listening = (incoming) => EVENTS.map((e) => incoming.listenerCount(e));
app.post("/:how", async (c) => {
  try {
    const before = listening(c.env.incoming);
    const bytes = c.req.param("how") === "direct" ? await requestBytes(c) : new Uint8Array(await c.req.arrayBuffer());
    // The IncomingMessage lives as long as the Context: a listener left on it keeps what it holds.
    const left = listening(c.env.incoming).map((n, i) => n - before[i]).reduce((a, b) => a + b);
    return c.json({ sha: sha(bytes), adapter: c.req.raw.bodyUsed, left });
  } catch (e) {
    outcomes.push("rejected");
    throw e;
  }
});
const server = await listen(app.fetch, { hostname: "127.0.0.1", port: 0 });
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
/** One request over its own socket, its head and body written in the pieces given. */
function send(path, pieces, headers) {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, "127.0.0.1");
    let got = "";
    s.on("data", (d) => (got += d));
    s.on("end", () => resolve(JSON.parse(got.slice(got.indexOf("\\r\\n\\r\\n") + 4))));
    s.on("error", reject);
    (async () => {
      s.write("POST " + path + " HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n" + headers + "\\r\\n");
      for (const p of pieces) { s.write(p); await pause(20); }
    })();
  });
}
const table = JSON.parse(process.argv[2]).map(([name, hexPieces, chunked]) => [name, hexPieces.map((h) => Buffer.from(h, "hex")), chunked]);
const results = [];
for (const [name, pieces, chunked] of table) {
  const body = Buffer.concat(pieces);
  const framed = chunked ? [...pieces.filter((p) => p.length).map((p) => Buffer.concat([Buffer.from(p.length.toString(16) + "\\r\\n"), p, Buffer.from("\\r\\n")])), Buffer.from("0\\r\\n\\r\\n")] : pieces;
  const headers = chunked ? "Transfer-Encoding: chunked\\r\\n" : "Content-Length: " + body.length + "\\r\\n";
  results.push({ name, sent: sha(body), direct: await send("/direct", framed, headers), adapter: await send("/adapter", framed, headers) });
}
// A client that declares 1000 bytes, sends 10 and leaves: both reads end, with an error.
for (const path of ["/direct", "/adapter"]) {
  const s = connect(server.port, "127.0.0.1");
  s.write("POST " + path + " HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 1000\\r\\n\\r\\n0123456789");
  await pause(100);
  s.destroy();
  await pause(300);
  outcomes.push("after " + path);
}
console.log(JSON.stringify({ results, outcomes }));
await server.stop();
`;

const hex = (s: string | Uint8Array) => Buffer.from(s).toString("hex");
const claudeCodeBody = readFileSync(join(ROOT, "test/fixtures/claude-code/print-mode-hello.json"), "utf8");
const TABLE: [string, string[], boolean][] = [
  ["empty", [], false],
  ["small JSON", [hex('{"a":1}')], false],
  ["Claude Code's 48 KB body", [hex(claudeCodeBody)], false],
  ["in three pieces, a multi-byte character split between two", [hex('{"t":"caf'), hex(Buffer.from("é").subarray(0, 1)), hex(Buffer.concat([Buffer.from("é").subarray(1), Buffer.from('"}')]))], false],
  ["a BOM, malformed UTF-8 and NUL bytes", [hex(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x7d]))], false],
  ["chunked: no declared length, read by the adapter", [hex('{"a":'), hex("[1,2]}")], true],
];

for (const node of nodeReleases())
  describe(node.name, () => {
    test("the body read from the IncomingMessage is the adapter's, byte for byte; a declared length is read directly", async () => {
      const { results, outcomes } = await runUnderNode<{
        results: { name: string; sent: string; direct: { sha: string; adapter: boolean; left: number }; adapter: { sha: string; adapter: boolean } }[];
        outcomes: string[];
      }>({ name: "node-bytes", entrypoints: [join(ROOT, "src/runtime/serve.ts"), join(ROOT, "src/runtime/request-bytes.ts")], script: SCRIPT, args: [JSON.stringify(TABLE)], node: node.bin });
      for (const [r, [, , chunked]] of results.map((r, i) => [r, TABLE[i]!] as const)) {
        expect({ name: r.name, direct: r.direct.sha, adapter: r.adapter.sha }).toEqual({ name: r.name, direct: r.sent, adapter: r.sent });
        expect({ name: r.name, throughAdapter: r.direct.adapter }).toEqual({ name: r.name, throughAdapter: chunked });
        expect({ name: r.name, listenersLeft: r.direct.left }).toEqual({ name: r.name, listenersLeft: 0 });
      }
      expect(outcomes).toEqual(["rejected", "after /direct", "rejected", "after /adapter"]);
    }, 30_000);
  });
