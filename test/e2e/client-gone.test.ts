// Under Node a client that leaves before the /v1/messages handler first asks for the request's
// signal (while the body is read, the loaded model looked up or the prompt counted) finds it
// aborted already (@hono/node-server aborts it when made): no abort event ever comes, and the
// upstream must still not be left working. Run in real Node behind listen(), with a backend that
// tells whether its signal was aborted by the time it was asked, or soon after.
import { describe, expect, test } from "bun:test";
import { createConsola, LogLevels } from "consola";
import { connect } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Backend } from "../../src/backends/types.ts";
import { listen } from "../../src/runtime/serve.ts";
import { createApp } from "../../src/server/app.ts";
import { ROOT } from "../helpers/processes.ts";
import { nodeReleases } from "../helpers/node-releases.ts";
import { runUnderNode } from "../helpers/under-node.ts";

/** The app and listen() built for Node; the scripts import them as ./server/app.js and ./runtime/serve.js. */
const APP_FOR_NODE = { entrypoints: [join(ROOT, "src/server/app.ts"), join(ROOT, "src/runtime/serve.ts")], root: join(ROOT, "src") };

const SCRIPT = `
import { connect } from "node:net";
import { createApp } from "./server/app.js";
import { listen } from "./runtime/serve.js";
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const logger = { debug() {}, info() {}, warn() {}, error() {} };
const outcomes = [];
for (const stream of [true, false]) {
  let outcome = "not asked";
  const backend = {
    name: "fake",
    describe: async () => ({ name: "fake", baseUrl: "", models: [] }),
    async *send(_req, { signal }) {
      outcome = signal.aborted ? "aborted" : "asked";
      signal.addEventListener("abort", () => (outcome = "aborted"));
      await pause(1000);
    },
  };
  // The server is asked which model it has loaded: 300 ms in which the client leaves.
  const app = createApp({ backend, logger, routing: { model: "m", loaded: () => pause(300).then(() => undefined) } });
  const server = await listen(app.fetch, { hostname: "127.0.0.1", port: 0 });
  const body = JSON.stringify({ model: "claude-x", max_tokens: 10, stream, messages: [{ role: "user", content: "hi" }] });
  const s = connect(server.port, "127.0.0.1");
  s.on("error", () => {});
  s.write("POST /v1/messages HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: " + body.length + "\\r\\n\\r\\n" + body);
  await pause(100);
  s.destroy();
  await pause(600);
  outcomes.push(outcome);
  await server.stop();
}
console.log(JSON.stringify(outcomes));
`;

for (const node of nodeReleases())
  describe(node.name, () => {
    test("a client gone before the handler listens for it aborts the upstream request (real Node)", async () => {
      expect(await runUnderNode({ name: "node-gone", ...APP_FOR_NODE, script: SCRIPT, node: node.bin })).toEqual(["aborted", "aborted"]);
    }, 30_000);
  });

// A client that leaves mid-body (Esc while a large request is sent): nobody is left to answer, and
// it is no fault of the proxy's. The log says so at debug level; an error line ("unhandled error")
// would tell the user something broke. Under Bun in-process, and under real Node.
const MID_BODY = `
import { connect } from "node:net";
import { createApp } from "./server/app.js";
import { listen } from "./runtime/serve.js";
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = [];
const log = (level) => (...args) => lines.push(level + ": " + args.join(" "));
const logger = { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
const backend = { name: "fake", describe: async () => ({ name: "fake", baseUrl: "", models: [] }), async *send() { yield { type: "message_stop" }; } };
const server = await listen(createApp({ backend, logger, routing: { model: "m" } }).fetch, { hostname: "127.0.0.1", port: 0 });
const s = connect(server.port, "127.0.0.1");
s.on("error", () => {});
s.write('POST /v1/messages HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000\\r\\n\\r\\n{"model":');
await pause(100);
s.destroy();
await pause(300);
await server.stop();
console.log(JSON.stringify(lines));
`;

const leaveMidBody = (port: number) =>
  new Promise<void>((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.on("error", () => {});
    s.write('POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"model":');
    setTimeout(() => (s.destroy(), setTimeout(resolve, 300)), 100);
  });

test("a client gone mid-body is logged as a refusal, not as an unhandled error (Bun)", async () => {
  const lines: string[] = [];
  const logger = createConsola({ level: LogLevels.debug, reporters: [{ log: (o) => lines.push(`${o.type}: ${o.args.join(" ")}`) }] });
  const backend: Backend = { name: "fake", describe: async () => ({ name: "fake", baseUrl: "", models: [] }), async *send() {} };
  const server = await listen(createApp({ backend, logger, routing: { model: "m" } }).fetch, { hostname: "127.0.0.1", port: 0 });
  await leaveMidBody(server.port);
  await server.stop();
  expect(lines).toEqual(["debug: /v1/messages: 400 the client closed the connection before its request body arrived"]);
});

for (const node of nodeReleases())
  describe(node.name, () => {
    test("a client gone mid-body is logged as a refusal, not as an unhandled error (real Node)", async () => {
      expect(await runUnderNode({ name: "node-mid-body", ...APP_FOR_NODE, script: MID_BODY, node: node.bin })).toEqual(["debug: /v1/messages: 400 the client closed the connection before its request body arrived"]);
    }, 30_000);
  });

// Under Node the handler learns that the client left from the ServerResponse's 'close'
// (src/runtime/client-gone.ts), not from the adapter's signal, which it would have to make: both are
// asked in each case of the table, over a raw socket, and must agree.
const HOOK_APP_FOR_NODE = { entrypoints: [join(ROOT, "src/runtime/client-gone.ts"), join(ROOT, "src/runtime/serve.ts")], root: join(ROOT, "src") };
const HOOK_SCRIPT = `
import { connect } from "node:net";
import { Hono } from ${JSON.stringify(pathToFileURL(join(ROOT, "node_modules/hono/dist/index.js")).href)};
import { streamSSE } from ${JSON.stringify(pathToFileURL(join(ROOT, "node_modules/hono/dist/helper/streaming/index.js")).href)};
import { onClientGone } from "./runtime/client-gone.js";
import { listen } from "./runtime/serve.js";
const pause = (ms) => new Promise((r) => setTimeout(r, ms));
const seen = {};
const watch = (c, name) => {
  seen[name] = { hook: 0, signal: 0 };
  onClientGone(c, () => seen[name].hook++);
  c.req.raw.signal.addEventListener("abort", () => seen[name].signal++);
  if (c.req.raw.signal.aborted) seen[name].signal++;
};
const app = new Hono();
const table = JSON.parse(process.argv[2]);
app.post("/:case/:wait/:how", async (c) => {
  const name = table[Number(c.req.param("case"))][0];
  await c.req.text();
  await pause(Number(c.req.param("wait")));
  watch(c, name);
  if (c.req.param("how") === "json") {
    await pause(300);
    return c.json({ ok: true });
  }
  return streamSSE(c, async (s) => {
    await s.write("data: 1\\n\\n");
    await pause(300);
    await s.write("data: 2\\n\\n");
  });
});
const server = await listen(app.fetch, { hostname: "127.0.0.1", port: 0 });
/** leaveAt: ms after sending, or null to read the whole answer and close 100 ms later. */
const send = (path, leaveAt) => new Promise((resolve) => {
  const s = connect(server.port, "127.0.0.1");
  s.on("error", () => {});
  s.write("POST " + path + " HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nContent-Length: 2\\r\\n\\r\\n{}");
  let got = "";
  s.on("data", (d) => {
    got += d;
    if (leaveAt === null && got.endsWith("0\\r\\n\\r\\n") || leaveAt === null && got.includes('{"ok":true}')) setTimeout(() => (s.destroy(), resolve()), 100);
  });
  if (leaveAt !== null) setTimeout(() => (s.destroy(), setTimeout(resolve, 500)), leaveAt);
});
for (const [i, [, wait, how, leaveAt]] of table.entries()) await send("/" + i + "/" + wait + "/" + how, leaveAt);
await pause(200);
console.log(JSON.stringify(seen));
await server.stop();
`;

const HOOK_TABLE: [name: string, wait: number, how: "json" | "sse", leaveAt: number | null, gone: boolean][] = [
  ["JSON answered", 0, "json", null, false],
  ["stream answered", 0, "sse", null, false],
  ["gone while a JSON answer is made", 0, "json", 100, true],
  ["gone mid-stream", 0, "sse", 100, true],
  ["gone before the hook is set (JSON)", 200, "json", 50, true],
  ["gone before the hook is set (stream)", 200, "sse", 50, true],
];

for (const node of nodeReleases())
  describe(node.name, () => {
    test("the client-gone hook agrees with the adapter's request signal in every case (real Node)", async () => {
      const seen = await runUnderNode<Record<string, { hook: number; signal: number }>>({ name: "node-gone-hook", ...HOOK_APP_FOR_NODE, script: HOOK_SCRIPT, args: [JSON.stringify(HOOK_TABLE.map(([name, wait, how, leaveAt]) => [name, wait, how, leaveAt]))], node: node.bin });
      for (const [name, , , , gone] of HOOK_TABLE) expect({ name, ...seen[name] }).toEqual({ name, hook: gone ? 1 : 0, signal: gone ? 1 : 0 });
    }, 30_000);
  });
