// The shipped artefacts (built once per source state): the compiled linux-x64 executable and the
// Node bundle that `npm pack` ships. Each serves a real Claude Code tool round trip.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { chunk, DONE, finish, sse, textReply, toolArgs, toolStart } from "../helpers/chunks.ts";
import { type Artefacts, artefacts as builtArtefacts } from "../helpers/artefacts.ts";
import { ROOT, resultOf, runClaude, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
let built: Artefacts;

beforeAll(async () => {
  built = await builtArtefacts();
  upstream = await startUpstream((req: ChatRequest) =>
    req.messages.at(-1)!.role === "tool"
      ? textReply(`tool said ${String(req.messages.at(-1)!.content).trim()}`)
      : sse(chunk({ role: "assistant", content: "" }), toolStart(0, "c", "Bash", '{"command":"echo from-'), toolArgs(0, 'artefact"}'), finish("tool_calls"), DONE),
  );
}, 120_000);
afterAll(async () => {
  await upstream.stop();
});

const artefacts: [string, () => string[]][] = [
  ["compiled linux-x64 binary", () => [built.binary]],
  ["Node bundle on node", () => ["node", built.nodeBundle]],
];

describe("shipped artefacts", () => {
  const mlxRuns: [string, () => string[]][] = [
    ["compiled binary", () => [built.binary]],
    ["Node bundle", () => ["node", built.nodeBundle]],
  ];
  for (const [name, command] of mlxRuns) test(`${name}: the embedded MLX server is written out, supervised and serves (fake engine)`, async () => {
    const cwd = tempDir("binmlx");
    writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "mlx", backends: { mlx: { python: "python3", serverArgs: ["--engine", "fake"] } } }));
    const home = tempDir("binhome");
    const serve = await startServe([], command(), { cwd, env: { HOME: home } });
    try {
      const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
      expect(res.status).toBe(200);
      expect(readdirSync(join(home, ".anyclaude", "mlx-server"))).toHaveLength(1);
    } finally {
      await serve.stop();
    }
  });

  for (const [name, command] of artefacts) {
    test(`${name}: --version`, async () => {
      const p = Bun.spawn([...command(), "--version"], { stdout: "pipe" });
      expect((await new Response(p.stdout).text()).trim()).toBe(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version);
    });
    test(`${name}: a port already in use is one line and exit 1, not a crash`, async () => {
      const taken = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
      try {
        const p = Bun.spawn([...command(), "serve", "--port", String(taken.port), "--mode", "openai", "--base-url", upstream.url, "--model", "test-model"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1", HOME: tempDir("home") } });
        const err = await new Response(p.stderr).text();
        expect(await p.exited).toBe(1);
        const lines = err.trim().split("\n");
        expect(lines).toHaveLength(1);
        expect(lines[0]).toEndWith(`port ${taken.port} on 127.0.0.1 is already in use; pick another with --port, or --port 0 for a free one`);
      } finally {
        taken.stop(true);
      }
    });
    test(`${name}: serve + a Claude Code tool round trip`, async () => {
      const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "m"], command());
      try {
        const run = await runClaude(serve.url, "run the tool", { args: ["--allowedTools", "Bash"] });
        expect(resultOf(run).result).toBe("tool said from-artefact");
      } finally {
        await serve.stop();
      }
    });
  }
});
