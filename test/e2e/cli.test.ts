// A newcomer's first hour (issue 12), run against the compiled binary as a user types it:
// expected failures are one line with a documented exit code, options are never silently
// dropped, data goes to stdout, help does not mislead, and the printed hints work as pasted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { textReply } from "../helpers/chunks.ts";
import { artefacts } from "../helpers/artefacts.ts";
import { CLAUDE, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const FIXTURE = join(ROOT, "test/fixtures/claude-code/print-mode-hello.json");
const PATH = `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`;
let bin: string;
let upstream: Upstream;
let hanging: Upstream;

beforeAll(async () => {
  bin = (await artefacts()).binary;
  upstream = await startUpstream(() => textReply("ok"));
  hanging = await startUpstream(() => ({ kind: "sse", frames: [], stall: true }));
}, 120_000);
afterAll(async () => {
  await upstream.stop();
  await hanging.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], opts: { env?: Record<string, string>; home?: string; cwd?: string } = {}): Promise<Run> {
  const p = Bun.spawn([bin, ...args], {
    cwd: opts.cwd ?? tempDir("cwd"),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH, HOME: opts.home ?? tempDir("home"), NO_COLOR: "1", ...opts.env },
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

/** One line on stderr, nothing on stdout, no stack frames or minified source. */
function expectOneLine(r: Run, code: number, says: RegExp): void {
  const lines = r.stderr.split("\n").filter((l) => l.trim());
  expect(lines).toHaveLength(1);
  expect(lines[0]!).toMatch(says);
  expect(lines[0]!.length).toBeLessThan(400);
  expect(r.stderr).not.toMatch(/\n\s+at |\bfunction\b|=>/);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(code);
}

describe("expected failures: one line, what to do, exit 2 (usage/config) or 1 (runtime)", () => {
  test("serve --port 99999", async () => expectOneLine(await run(["serve", "--port", "99999", "--mode", "openai", "--base-url", upstream.url]), 2, /--port: expected a number from 0 to 65535/));

  test("a port already in use", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const port = (taken.address() as { port: number }).port;
    try {
      expectOneLine(await run(["serve", "--port", String(port), "--mode", "openai", "--base-url", upstream.url, "--model", "test-model"]), 1, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use; pick another with --port`));
    } finally {
      taken.close();
    }
  });

  const traceCases: [string, () => string[], RegExp][] = [
    ["trace compare /nonexist", () => ["trace", "compare", "/nonexist"], /results folder \/nonexist does not exist/],
    ["trace analyze /nonexist.json", () => ["trace", "analyze", "/nonexist.json"], /trace file \/nonexist\.json does not exist/],
    ["trace analyze on a file that is not JSON", () => ["trace", "analyze", join(ROOT, "README.md")], /README\.md is not JSON, so not a trace or an Anthropic request/],
    ["trace analyze on JSON that is not a trace", () => ["trace", "analyze", join(ROOT, "package.json")], /package\.json is not a trace or an Anthropic request/],
    ["trace analyze latest with no traces", () => ["trace", "analyze", "latest"], /no traces in .*: turn them on with --trace/],
    ["trace replay latest with no traces", () => ["trace", "replay", "latest", "--mode", "openai", "--base-url", upstream.url], /no traces in .*: turn them on with --trace/],
    ["trace compare on an empty folder", () => ["trace", "compare", tempDir("empty")], /no replay results in .*; make some with `?anyclaude trace replay/],
  ];
  for (const [name, args, says] of traceCases) test(name, async () => expectOneLine(await run(args()), 1, says));
});

describe("options are never silently ignored", () => {
  test("an option before the subcommand reaches it", async () => {
    const cwd = tempDir("cwd");
    writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "lmstudio" }));
    const r = await run(["--mode", "ollama", "config"], { cwd });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ mode: "ollama", modeSource: "flag" });
  });
  test("--mode bogus doctor stops before doing anything", async () => expectOneLine(await run(["--mode", "bogus", "doctor"]), 2, /--mode: expected one of mlx, lmstudio/));
  test("Claude Code's arguments get a hint about --", async () =>
    expectOneLine(await run(["--mode", "lmstudio", "-p", "hi"]), 2, /unknown option -p for anyclaude; to pass it to Claude Code, put it after --: anyclaude --mode lmstudio -- -p hi$/));
  test("a typo names the nearest option", async () => expectOneLine(await run(["--modle", "x"]), 2, /unknown option --modle for anyclaude \(did you mean --mode\?\)/));
  test("an option a subcommand does not have", async () => expectOneLine(await run(["models", "--port", "1"]), 2, /unknown option --port for anyclaude models/));
});

describe("data on stdout, diagnostics on stderr", () => {
  test("models | grep captures the models", async () => {
    const r = await run(["models", "--mode", "openai", "--base-url", upstream.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("test-model  (32768 tokens)\n");
    expect(r.stderr).not.toContain("test-model");
  });
  test("doctor's checks are on stdout, and --json gives them to scripts", async () => {
    const r = await run(["doctor", "--mode", "openai", "--base-url", upstream.url]);
    expect(r.stdout).toMatch(/✓ openai backend\s+reachable/);
    expect(r.stderr).not.toContain("✓");
    const j = await run(["doctor", "--mode", "openai", "--base-url", upstream.url, "--json"]);
    const report = JSON.parse(j.stdout);
    expect(report.checks.find((c: { name: string }) => c.name === "model")).toMatchObject({ ok: true, detail: expect.stringContaining("test-model") });
    expect(j.code).toBe(report.ok ? 0 : 1);
  });
});

describe("help that does not mislead", () => {
  const commands = [[], ["serve"], ["doctor"], ["models"], ["config"], ["setup", "mlx"], ["trace", "list"], ["trace", "analyze"], ["trace", "replay"], ["trace", "compare"]];
  for (const path of commands)
    test(`anyclaude ${path.join(" ")} --help`, async () => {
      const r = await run([...path, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`USAGE anyclaude${path.length ? ` ${path.join(" ")}` : ""}`);
      // Every option has a description: a line in OPTIONS is never a bare flag.
      const options = r.stdout.split("OPTIONS")[1]?.split(/\n\n[A-Z]/)[0] ?? "";
      for (const line of options.split("\n").filter((l) => l.trim().startsWith("-") || /^\s+-/.test(l))) expect(line.trim()).toMatch(/--?\S+\s{2,}\S/);
    });
  test("the launcher's help says where Claude Code's arguments go", async () => {
    for (const path of [[], ["launch"]]) expect((await run([...path, "--help"])).stdout).toContain("Everything after -- goes to Claude Code");
    expect((await run(["serve", "--help"])).stdout).not.toContain("Everything after --");
  });
  test("only the proxy's commands list --port, --host and --trace", async () => {
    for (const path of [["doctor"], ["models"], ["trace", "analyze"], ["trace", "list"]]) {
      const r = await run([...path, "--help"]);
      expect(r.stdout).not.toMatch(/--port|--host|--trace/);
    }
    expect((await run(["serve", "--help"])).stdout).toMatch(/--port[\s\S]*--host[\s\S]*--trace/);
  });
  test("trace analyze: -v, --verbose", async () => {
    const r = await run(["trace", "analyze", "--help"]);
    expect(r.stdout).toContain("-v, --verbose");
    expect(r.stdout).not.toMatch(/\s--v\b/);
    const verbose = await run(["trace", "analyze", FIXTURE, "-v"]);
    expect(verbose.code).toBe(0);
    expect(verbose.stdout).toContain("--- system prompt ---");
  });
});

describe("hints that work as pasted", () => {
  test("serve's line runs Claude Code with no Anthropic login", async () => {
    const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "m"], [bin], { env: { HOME: tempDir("home") } });
    try {
      // startServe returns on "listening on"; the hint is the next line, maybe not read yet.
      for (let i = 0; i < 400 && !/use it with: .+\n/.test(serve.output()); i++) await Bun.sleep(25);
      const line = /use it with: (.+)/.exec(serve.output())![1]!.trim();
      expect(line).toBe(`ANTHROPIC_BASE_URL=${serve.url} ANTHROPIC_AUTH_TOKEN=anyclaude claude`);
      // As pasted into a shell of a user without an Anthropic login: a fresh HOME, no API key.
      const p = Bun.spawn(["sh", "-c", `${line} -p 'say ok' --output-format json`], {
        cwd: tempDir("work"),
        stdout: "pipe",
        stderr: "pipe",
        env: { PATH: `${join(CLAUDE, "..")}:/usr/bin:/bin`, HOME: tempDir("home"), CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" },
      });
      const out = await new Response(p.stdout).text();
      expect(await p.exited).toBe(0);
      expect(JSON.parse(out).result).toBe("ok");
    } finally {
      await serve.stop();
    }
  }, 120_000);

  test("doctor: a server that answers garbage is not told to start", async () => {
    const garbage = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<html>router login</html>", { headers: { "content-type": "text/html" } }) });
    try {
      const r = await run(["doctor", "--mode", "lmstudio", "--base-url", `http://127.0.0.1:${garbage.port}/v1`]);
      expect(r.stdout).toMatch(/✗ model .*\n\s+fix: http:\/\/127\.0\.0\.1:\d+\/v1 lists no models: if it is LM Studio, load or download a model there; otherwise check that the URL is its API root/);
      expect(r.stdout).not.toContain("start the lmstudio server");
      expect(r.code).toBe(1);
    } finally {
      garbage.stop(true);
    }
    // A web server without the API: an HTTP error, not silence.
    const notFound = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("<html>Not Found</html>", { status: 404, headers: { "content-type": "text/html" } }) });
    try {
      const r = await run(["doctor", "--mode", "vllm", "--base-url", `http://127.0.0.1:${notFound.port}/v1`]);
      expect(r.stdout).toMatch(/✗ vllm backend .*\n\s+fix: something answers at http:\/\/127\.0\.0\.1:\d+\/v1, but not as a vllm server listing its models/);
      expect(r.stdout).not.toContain("start the vllm server");
    } finally {
      notFound.stop(true);
    }
    const refused = await run(["doctor", "--mode", "lmstudio", "--base-url", "http://127.0.0.1:9/v1"]);
    expect(refused.stdout).toMatch(/fix: start the lmstudio server/);
  });
});

function fakeClaude(): { dir: string; log: string } {
  const dir = tempDir("fakebin");
  copyFileSync(join(ROOT, "test/fixtures/fake-claude.cjs"), join(dir, "claude"));
  chmodSync(join(dir, "claude"), 0o755);
  return { dir, log: join(dir, "log.jsonl") };
}

describe("launch", () => {
  test("a model the server does not list gets a warning; the session can be resumed through anyclaude", async () => {
    const fake = fakeClaude();
    const session = "4f1c2d3e-1111-4222-8333-444455556666";
    const r = await run(["--mode", "openai", "--base-url", upstream.url, "--model", "not-loaded"], {
      env: { PATH: `${fake.dir}:${PATH}`, FAKE_CLAUDE_LOG: fake.log, FAKE_EXIT: "0", FAKE_SESSION_ID: session },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/openai does not list the model not-loaded \(it lists test-model\)/);
    expect(r.stderr).toContain(`to resume this session through anyclaude: anyclaude --mode openai --base-url ${upstream.url} --model not-loaded -- --resume ${session}`);
  });
  test("print mode (-p) gets no resume line", async () => {
    const fake = fakeClaude();
    const r = await run(["--mode", "openai", "--base-url", upstream.url, "--", "-p", "hi"], {
      env: { PATH: `${fake.dir}:${PATH}`, FAKE_CLAUDE_LOG: fake.log, FAKE_EXIT: "0", FAKE_SESSION_ID: "4f1c2d3e-1111-4222-8333-444455556666" },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain("--resume");
  });
});

describe("replay and compare", () => {
  test("a hanging backend: progress, a per-run timeout, the failure as a failure", async () => {
    const out = tempDir("replays");
    const r = await run(["trace", "replay", FIXTURE, "--mode", "openai", "--base-url", hanging.url, "--model", "m", "--runs", "2", "--timeout", "1", "--out", out]);
    expect(r.stderr).toContain("run 1/2: sending to openai m");
    expect(r.stderr).toMatch(/1\/2 +✗ no complete answer within 1 s/);
    expect(r.stderr).toMatch(/2 of 2 runs failed; results \(failures included\): /);
    expect(r.stderr).not.toContain("✔");
    expect(r.code).toBe(1);
    const [file] = readdirSync(out);
    const result = JSON.parse(readFileSync(join(out, file!), "utf8"));
    expect(result).toMatchObject({ mode: "openai", model: "m", baseUrl: hanging.url });
    expect(result.runs.map((x: { error: string }) => x.error)).toEqual(["no complete answer within 1 s", "no complete answer within 1 s"]);

    const c = await run(["trace", "compare", out]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/openai\/m\s+2\s+2\s+-/);
    expect(c.stdout).toContain("✗ openai/m: 2 runs failed: no complete answer within 1 s");
  }, 60_000);
});

test("traces are written as compact JSON", async () => {
  const home = tempDir("home");
  const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model", "--trace"], [bin], { env: { HOME: home } });
  try {
    const body = JSON.parse(readFileSync(FIXTURE, "utf8")).body;
    const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, stream: true }) });
    await res.text();
    // Written off the hot path: wait for it before stopping the proxy.
    const traces = join(home, ".anyclaude", "traces", "openai");
    for (let i = 0; i < 200 && !(existsSync(traces) && readdirSync(traces).some((n) => n.endsWith(".json"))); i++) await Bun.sleep(50);
  } finally {
    await serve.stop();
  }
  const dir = join(home, ".anyclaude", "traces", "openai");
  const name = readdirSync(dir).find((n) => n.endsWith(".json"));
  const text = readFileSync(join(dir, name!), "utf8");
  expect(text.includes("\n")).toBe(false);
  expect(JSON.parse(text).request.messages).toEqual(JSON.parse(readFileSync(FIXTURE, "utf8")).body.messages);
});

describe("seed compatibility", () => {
  test("ANYCLAUDE_DEBUG=true turns on debug output, and --debug reaches every command", async () => {
    expect(JSON.parse((await run(["config"], { env: { ANYCLAUDE_DEBUG: "true" } })).stdout).debugLevel).toBe(1);
    expect(JSON.parse((await run(["config", "--debug"])).stdout).debugLevel).toBe(1);
    // serve's logger follows the config: its debug line on SIGTERM appears.
    const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "test-model"], [bin], { env: { HOME: tempDir("home"), ANYCLAUDE_DEBUG: "yes" } });
    await serve.stop();
    expect(serve.output()).toContain("SIGTERM: shutting down");
  });

  test("ANYCLAUDE_NO_AUTO_LAUNCH=true: mlx mode uses the server at VLLM_MLX_URL and starts none", async () => {
    const home = tempDir("home");
    const serve = await startServe(["--mode", "mlx", "--model", "test-model"], [bin], { env: { HOME: home, ANYCLAUDE_NO_AUTO_LAUNCH: "true", VLLM_MLX_URL: upstream.url } });
    try {
      const res = await fetch(`${serve.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
      expect(res.status).toBe(200);
      expect(existsSync(join(home, ".anyclaude", "mlx-server"))).toBe(false);
    } finally {
      await serve.stop();
    }
    // Without a URL, the default MLX port: still nothing started.
    const bare = await startServe(["--mode", "mlx"], [bin], { env: { HOME: home, ANYCLAUDE_NO_AUTO_LAUNCH: "true" } });
    try {
      expect(bare.output()).toContain("→ mlx at http://127.0.0.1:8081/v1");
      expect(existsSync(join(home, ".anyclaude", "mlx-server"))).toBe(false);
    } finally {
      await bare.stop();
    }
  });
});
