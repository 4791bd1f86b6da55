// Under Node a client that leaves before the /v1/messages handler first asks for the request's
// signal (while the body is read, the loaded model looked up or the prompt counted) finds it
// aborted already (@hono/node-server aborts it when made): no abort event ever comes, and the
// upstream must still not be left working. Run in real Node behind listen(), with a backend that
// tells whether its signal was aborted by the time it was asked, or soon after.
import { expect, test } from "bun:test";
import { createConsola, LogLevels } from "consola";
import { connect } from "node:net";
import { join } from "node:path";
import type { Backend } from "../../src/backends/types.ts";
import { listen } from "../../src/runtime/serve.ts";
import { createApp } from "../../src/server/app.ts";
import { ROOT } from "../helpers/processes.ts";
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

test("a client gone before the handler listens for it aborts the upstream request (real Node)", async () => {
  expect(await runUnderNode({ name: "node-gone", ...APP_FOR_NODE, script: SCRIPT })).toEqual(["aborted", "aborted"]);
}, 30_000);

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

test("a client gone mid-body is logged as a refusal, not as an unhandled error (real Node)", async () => {
  expect(await runUnderNode({ name: "node-mid-body", ...APP_FOR_NODE, script: MID_BODY })).toEqual(["debug: /v1/messages: 400 the client closed the connection before its request body arrived"]);
}, 30_000);
