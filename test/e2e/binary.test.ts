// The shipped artefacts, built in this test run: the compiled linux-x64 executable and the Node
// bundle that `npm pack` ships. Each serves a real Claude Code tool round trip.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { chunk, DONE, finish, sse, textReply, toolArgs, toolStart } from "../helpers/chunks.ts";
import { BUN, ROOT, resultOf, runClaude, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const outdir = tempDir("dist");
let upstream: Upstream;

beforeAll(async () => {
  const build = Bun.spawn([BUN, join(ROOT, "scripts/build.ts"), "--target", "linux-x64", "--outdir", outdir], { stdout: "pipe", stderr: "pipe" });
  expect(await build.exited).toBe(0);
  const node = Bun.spawn([BUN, join(ROOT, "scripts/build.ts"), "--target", "node", "--outdir", outdir], { stdout: "pipe", stderr: "pipe" });
  expect(await node.exited).toBe(0);
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
  ["compiled linux-x64 binary", () => [join(outdir, "anyclaude-linux-x64")]],
  ["Node bundle on node", () => ["node", join(outdir, "node", "anyclaude.mjs")]],
];

describe("shipped artefacts", () => {
  const mlxRuns: [string, () => string[]][] = [
    ["compiled binary", () => [join(outdir, "anyclaude-linux-x64")]],
    ["Node bundle", () => ["node", join(outdir, "node", "anyclaude.mjs")]],
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
