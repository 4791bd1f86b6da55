// Under real Node, node:http writes a POST's body from the buffer given, and may still be writing it
// when the answer comes: a server may answer before reading the body (as Node's own http server may
// for a 413, RFC 9110 §15.5.14) and leave the rest unread. The body's buffer is written again for
// a later request (translate/request-json.ts RecentMessages), so nodePost says it is done with the
// bytes only once the request has finished (the last bytes are the kernel's) or closed.
import { expect, test } from "bun:test";
import { ROOT } from "../helpers/processes.ts";
import { runUnderNode } from "../helpers/under-node.ts";

const ENTRY = `export { nodePost } from "${ROOT}/src/runtime/http-post.ts";`;

const SCRIPT = `
import { createServer } from "node:http";
import { createServer as createNet } from "node:net";
import { nodePost } from "./entry.js";
const out = {};
const init = (body, signal, bodyDone) => ({ headers: { "content-type": "application/json" }, body, signal, headerTimeoutMs: 10000, bodyDone });

// A server that reads the body, then answers.
const reading = createServer(async (req, res) => { for await (const _ of req); res.end("ok"); });
await new Promise((r) => reading.listen(0, "127.0.0.1", r));
{
  let done = 0;
  const res = await nodePost("http://127.0.0.1:" + reading.address().port + "/", init(new Uint8Array(1 << 20).fill(0x20), new AbortController().signal, () => done++));
  for await (const _ of res.body);
  await new Promise((r) => setTimeout(r, 50));
  out.readThenAnswered = done > 0;
}
reading.close();

// A server that answers at once and never reads: 32 MB cannot all be the kernel's.
const sockets = [];
const early = createNet((s) => { sockets.push(s); s.pause(); s.write("HTTP/1.1 413 Payload Too Large\\r\\ncontent-length: 2\\r\\n\\r\\nno"); });
await new Promise((r) => early.listen(0, "127.0.0.1", r));
{
  let done = 0;
  const client = new AbortController();
  const res = await nodePost("http://127.0.0.1:" + early.address().port + "/", init(new Uint8Array(32 << 20).fill(0x20), client.signal, () => done++));
  out.status = res.status;
  await new Promise((r) => setTimeout(r, 100));
  out.doneWhileWriting = done > 0;
  client.abort();
  await new Promise((r) => setTimeout(r, 100));
  out.doneOnceClosed = done > 0;
}
for (const s of sockets) s.destroy();
early.close();

// A client already gone: nothing is sent, and the bytes are free at once.
{
  let done = 0;
  const client = new AbortController();
  client.abort();
  await nodePost("http://127.0.0.1:9/", init("{}", client.signal, () => done++)).catch(() => {});
  out.doneWhenNotSent = done > 0;
}
console.log(JSON.stringify(out));
`;

test("nodePost is done with a body's bytes once they are the kernel's or the request is closed, not when the answer comes", async () => {
  const got = await runUnderNode({ name: "node-body-done", entry: ENTRY, script: SCRIPT });
  expect(got).toEqual({ readThenAnswered: true, status: 413, doneWhileWriting: false, doneOnceClosed: true, doneWhenNotSent: true });
}, 60_000);
