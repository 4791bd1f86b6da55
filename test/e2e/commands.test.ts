// `doctor`, `models` and `config` as a user runs them.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { textReply } from "../helpers/chunks.ts";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream(() => textReply("ok"));
});
afterAll(async () => {
  await upstream.stop();
});

/** The Claude Code CLI installed from package.json's devDependencies, as doctor must report it. */
const CLAUDE_VERSION = (JSON.parse(readFileSync(join(ROOT, "node_modules/@anthropic-ai/claude-code/package.json"), "utf8")) as { version: string }).version;

async function run(args: string[], path = `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`) {
  const p = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), ...args], { cwd: tempDir("cmd"), stdout: "pipe", stderr: "pipe", env: { PATH: path, HOME: tempDir("home"), NO_COLOR: "1" } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, out: stdout + stderr };
}

test("models lists the backend's models and windows", async () => {
  const r = await run(["models", "--mode", "openai", "--base-url", upstream.url]);
  expect(r.code).toBe(0);
  expect(r.out).toContain("test-model  (32768 tokens)");
  const json = await run(["models", "--mode", "openai", "--base-url", upstream.url, "--json"]);
  expect(JSON.parse(json.out)).toEqual([{ id: "test-model", contextWindow: 32768 }]);
});

test("doctor: all ✓ with claude, a reachable backend, its model and window", async () => {
  const r = await run(["doctor", "--mode", "openai", "--base-url", upstream.url]);
  expect(r.out).toMatch(new RegExp(`✓ claude\\s+.*\\(${CLAUDE_VERSION.replaceAll(".", "\\.")} \\(Claude Code\\)\\)`));
  expect(r.out).toMatch(/✓ openai backend\s+reachable/);
  expect(r.out).toMatch(/✓ model\s+test-model/);
  expect(r.out).toMatch(/✓ context window\s+32768 tokens/);
  expect(r.code).toBe(0);
});

test("doctor: each ✗ comes with a fix, and the exit code says something is wrong", async () => {
  const r = await run(["doctor", "--mode", "openai", "--base-url", "http://127.0.0.1:9/v1"], "/usr/bin:/bin");
  expect(r.out).toMatch(/✗ claude\s+not found on PATH\n\s+fix: npm install -g @anthropic-ai\/claude-code/);
  expect(r.out).toMatch(/✗ openai backend .*\n\s+fix: start the openai server/);
  expect(r.code).toBe(1);
});

test("config --schema prints the JSON Schema of .anyclauderc.json", async () => {
  const r = await run(["config", "--schema"]);
  expect(r.code).toBe(0);
  const schema = JSON.parse(r.out);
  expect(schema.$schema).toContain("json-schema.org");
  expect(schema.properties.backends.properties.lmstudio.properties.baseUrl.type).toBe("string");
});

test("setup mlx creates the venv and installs the pinned requirements, printing each command", async () => {
  const log = join(tempDir("pylog"), "calls.txt");
  const home = tempDir("home");
  const p = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), "setup", "mlx", "--python", join(ROOT, "test/fixtures/fake-python.sh")], {
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: "/usr/bin:/bin", HOME: home, NO_COLOR: "1", FAKE_PYTHON_LOG: log },
  });
  const out = (await new Response(p.stdout).text()) + (await new Response(p.stderr).text());
  expect(await p.exited).toBe(0);
  const venv = join(home, ".anyclaude", "venv");
  const calls = (await Bun.file(log).text()).trim().split("\n");
  expect(calls).toEqual([
    `${join(ROOT, "test/fixtures/fake-python.sh")} -m venv ${venv}`,
    `${venv}/bin/python -m pip install --upgrade pip`,
    `${venv}/bin/python -m pip install -r ${join(home, ".anyclaude", "mlx-requirements.txt")}`,
  ]);
  for (const c of calls) expect(out).toContain(`$ ${c}`);
  expect(await Bun.file(join(home, ".anyclaude", "mlx-requirements.txt")).text()).toContain("mlx-lm==");
});

test("a window too small for Claude Code: doctor says so with the server's own fix", async () => {
  const ollama = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (req) =>
      new URL(req.url).pathname === "/api/show" ? Response.json({ model_info: { "qwen3.context_length": 4096 } }) : Response.json({ data: [{ id: "qwen3:8b" }] }),
  });
  try {
    const r = await run(["doctor", "--mode", "ollama", "--base-url", `http://127.0.0.1:${ollama.port}/v1`]);
    expect(r.out).toMatch(/✗ context window\s+4096 tokens assumed .*\n\s+fix: .*Claude Code's system prompt and tools alone take about 15k tokens\. .*OLLAMA_CONTEXT_LENGTH=32768/);
    expect(r.code).toBe(1);
  } finally {
    ollama.stop(true);
  }
});
