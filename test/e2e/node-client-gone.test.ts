// Under Node a client that leaves before the /v1/messages handler first asks for the request's
// signal (while the body is read, the loaded model looked up or the prompt counted) finds it
// aborted already (@hono/node-server aborts it when made): no abort event ever comes, and the
// upstream must still not be left working. Run in real Node behind listen(), with a backend that
// tells whether its signal was aborted by the time it was asked, or soon after.
import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, tempDir } from "../helpers/processes.ts";

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
  const dir = tempDir("node-gone");
  const built = await Bun.build({ entrypoints: [join(ROOT, "src/server/app.ts"), join(ROOT, "src/runtime/serve.ts")], outdir: dir, root: join(ROOT, "src"), target: "node", format: "esm" });
  expect(built.success).toBe(true);
  writeFileSync(join(dir, "script.mjs"), SCRIPT);
  const p = Bun.spawn(["node", join(dir, "script.mjs")], { stdout: "pipe", stderr: "inherit" });
  expect(await p.exited).toBe(0);
  expect(JSON.parse(await new Response(p.stdout).text())).toEqual(["aborted", "aborted"]);
}, 30_000);
