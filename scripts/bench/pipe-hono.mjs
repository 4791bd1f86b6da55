// The floor of the chosen shape: a Hono route answering with streamSSE that pipes the upstream's
// bytes back unchanged, no validation and no translation. Under Bun it runs on Bun.serve + fetch;
// under Node on @hono/node-server + node:http, reading the body from the IncomingMessage as
// anyclaude does. What anyclaude adds over this is its own code; what this adds over the plain
// pipes is the shape's (Hono, the web streams behind streamSSE).
// `bun|node scripts/bench/pipe-hono.mjs <upstream /v1 url>`; prints "listening on <url>".
import { request } from "node:http";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";

const upstream = new URL(`${process.argv[2]}/chat/completions`);
const headers = { "content-type": "application/json" };

/** Node: the whole body from the IncomingMessage, the answer as node:http delivers it. */
function postNode(incoming) {
  return new Promise((resolve, reject) => {
    const parts = [];
    incoming.on("data", (part) => parts.push(part));
    incoming.on("error", reject);
    incoming.on("end", () => {
      const out = request(upstream, { method: "POST", headers }, resolve);
      out.on("error", reject);
      out.end(Buffer.concat(parts));
    });
  });
}

const app = new Hono();
app.post("/v1/chat/completions", async (c) => {
  const answer = globalThis.Bun ? (await fetch(upstream, { method: "POST", headers, body: await c.req.arrayBuffer() })).body : await postNode(c.env.incoming);
  return streamSSE(c, async (stream) => {
    for await (const chunk of answer) await stream.write(chunk);
  });
});

const listening = (port) => process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
if (globalThis.Bun) listening(Bun.serve({ hostname: "127.0.0.1", port: 0, idleTimeout: 0, fetch: app.fetch }).port);
else {
  const { serve } = await import("@hono/node-server");
  serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => listening(info.port));
}
process.on("SIGTERM", () => process.exit(0));
