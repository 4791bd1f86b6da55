// The Node upstream path (runtime/http-post.ts, byte-stream.ts, node-response.ts, and the SSE
// reader's decoder) in real Node, not Bun's node:http: how an IncomingMessage ends, fails and closes
// is Node's own. Built for Node and driven by a script against a node:http upstream in the same process.
import { describe, expect, test } from "bun:test";
import { ROOT } from "../helpers/processes.ts";
import { nodeReleases } from "../helpers/node-releases.ts";
import { runUnderNode } from "../helpers/under-node.ts";

const ENTRY = `
export { HeaderTimeoutError, nodePost } from "${ROOT}/src/runtime/http-post.ts";
export { readSseBatches } from "${ROOT}/src/backends/sse-reader.ts";
export { decodeBatches } from "${ROOT}/src/backends/decode.ts";
export { Utf8Stream } from "${ROOT}/src/backends/utf8-stream.ts";
export { readerOf } from "${ROOT}/src/runtime/byte-stream.ts";
export { bodyText } from "${ROOT}/src/backends/body-text.ts";
`;

const SCRIPT = `
import { createServer } from "node:http";
import { HeaderTimeoutError, nodePost, readSseBatches, decodeBatches, Utf8Stream, readerOf, bodyText } from "./entry.js";
const CHUNK = JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "hi" }, finish_reason: null }] });
let connections = 0, cut = 0;
const server = createServer(async (req, res) => {
  for await (const _ of req);
  res.on("close", () => { if (!res.writableFinished) cut++; });
  const path = req.url;
  if (path.startsWith("/split")) { res.writeHead(200, { "content-type": "text/event-stream" }); res.write("data: " + CHUNK + "\\n\\ndata: [DONE]\\n\\n"); setTimeout(() => res.end(), 20); }
  else if (path.startsWith("/done")) { res.writeHead(200, { "content-type": "text/event-stream" }); res.end("data: " + CHUNK + "\\n\\ndata: [DONE]\\n\\n"); }
  else if (path.startsWith("/stall")) { res.writeHead(200, { "content-type": "text/event-stream" }); res.write("data: " + CHUNK + "\\n\\n"); }
  else if (path.startsWith("/jsonstall")) { res.writeHead(200, { "content-type": "application/json" }); res.write('{"id":'); }
  else if (path.startsWith("/late")) setTimeout(() => { if (!res.destroyed) res.end("late"); }, 2000);
  else if (path.startsWith("/bom")) { res.writeHead(400, { "retry-after": "3" }); res.end("\\uFEFF{}"); }
  else if (path.startsWith("/empty")) { res.writeHead(204); res.end(); }
});
server.on("connection", () => connections++);
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = "http://127.0.0.1:" + server.address().port;
const init = (signal = new AbortController().signal, headerTimeoutMs = 5000) => ({ headers: { "content-type": "application/json" }, body: "{}", signal, headerTimeoutMs });
const settle = async (check) => { for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10)); };
const out = {};

// Decode stops at [DONE], before the end of the body is read: the connection must stay open.
const ends = [];
for (let i = 0; i < 3; i++) {
  let last;
  for await (const batch of decodeBatches(await nodePost(base + "/done", init()), { backend: "b", idleMs: 1000, streamRequested: true })) last = batch.at(-1);
  ends.push(last);
  await new Promise((r) => setTimeout(r, 20));
}
out.keepAlive = { ends, connections };

// The end of the body a moment after [DONE] (servers end their chunked encoding in a write of its own).
const splitFrom = connections;
for (let i = 0; i < 3; i++) {
  for await (const _ of decodeBatches(await nodePost(base + "/split", init()), { backend: "b", idleMs: 1000, streamRequested: true }));
  await new Promise((r) => setTimeout(r, 50));
}
out.splitConnections = connections - splitFrom;

// A silent upstream: the idle limit fires, and the upstream sees its request closed.
let before = cut;
const stalled = await nodePost(base + "/stall", init());
try { for await (const _ of readSseBatches(readerOf(stalled.body), 100)); out.idle = "ended"; } catch (e) { out.idle = e.constructor.name; }
await settle(() => cut > before);
out.idleCut = cut - before;

// A JSON answer that stalls after its headers: the same idle limit.
before = cut;
try { for await (const _ of decodeBatches(await nodePost(base + "/jsonstall", init()), { backend: "b", idleMs: 100, streamRequested: false })); out.jsonIdle = "ended"; } catch (e) { out.jsonIdle = e.constructor.name; }
await settle(() => cut > before);
out.jsonIdleCut = cut - before;

// The client goes away mid-body.
before = cut;
const client = new AbortController();
const reading = await nodePost(base + "/stall", init(client.signal));
const batches = readSseBatches(readerOf(reading.body), 0);
await batches.next();
setTimeout(() => client.abort(), 20);
try { await batches.next(); out.abort = "read on"; } catch { out.abort = "failed"; }
await settle(() => cut > before);
out.abortCut = cut - before;

// No headers within the bound.
before = cut;
try { await nodePost(base + "/late", init(undefined, 100)); out.headerTimeout = "answered"; } catch (e) { out.headerTimeout = e instanceof HeaderTimeoutError; }
await settle(() => cut > before);
out.headerTimeoutCut = cut - before;

// Error bodies and body-less statuses.
const bom = await nodePost(base + "/bom", init());
out.bom = { status: bom.status, ok: bom.ok, retryAfter: bom.headers.get("retry-after"), text: await bodyText(bom, 10000) };
const empty = await nodePost(base + "/empty", init());
out.empty = { status: empty.status, body: empty.body, text: await bodyText(empty, 10000) };

// Utf8Stream against Node's own streaming TextDecoder (ICU): random bytes in random reads.
let seed = 11, mismatches = 0;
const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
const pool = [0x61, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8e, 0x89, 0xef, 0xbb, 0xbf, 0x80, 0xbf, 0xc0, 0xe0, 0xed, 0xa0, 0xf4, 0x90, 0xff];
for (let t = 0; t < 20000; t++) {
  const all = Uint8Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => (rnd() < 0.3 ? Math.floor(rnd() * 256) : pool[Math.floor(rnd() * pool.length)]));
  const reads = [];
  for (let i = 0; i < all.length; ) { const k = Math.floor(rnd() * 4); reads.push(all.subarray(i, i + k)); i += k; }
  const d = new TextDecoder(), u = new Utf8Stream();
  const a = JSON.stringify([...reads.map((r) => d.decode(r, { stream: true })), d.decode()]);
  const b = JSON.stringify([...reads.map((r) => u.decode(r)), u.end()]);
  if (a !== b) mismatches++;
}
out.utf8Mismatches = mismatches;

console.log(JSON.stringify(out));
server.closeAllConnections();
server.close();
`;

for (const node of nodeReleases())
  describe(node.name, () => {
    test("the Node upstream path under real Node: keep-alive after [DONE], idle limit (SSE and JSON), client abort, header timeout, error bodies, UTF-8", async () => {
      const out = await runUnderNode({ name: "node-upstream", entry: ENTRY, script: SCRIPT, node: node.bin });
      expect(out).toEqual({
        keepAlive: { ends: [{ kind: "end", complete: true }, { kind: "end", complete: true }, { kind: "end", complete: true }], connections: 1 },
        splitConnections: 0,
        idle: "StreamIdleError",
        idleCut: 1,
        jsonIdle: "StreamIdleError",
        jsonIdleCut: 1,
        abort: "failed",
        abortCut: 1,
        headerTimeout: true,
        headerTimeoutCut: 1,
        bom: { status: 400, ok: false, retryAfter: "3", text: "{}" },
        empty: { status: 204, body: null, text: "" },
        utf8Mismatches: 0,
      });
    }, 60_000);
  });
