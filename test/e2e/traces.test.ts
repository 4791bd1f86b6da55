// Traces: the recorder (content, redaction, permissions, a failing disk), analyze against
// independent gpt-tokenizer counts, replay against a known latency, compare's HTML in Chromium.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { createConsola } from "consola";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible.ts";
import { PROFILES } from "../../src/backends/profiles.ts";
import { listen } from "../../src/runtime/serve.ts";
import { createApp } from "../../src/server/app.ts";
import { TraceRecorder } from "../../src/trace/recorder.ts";
import { chunk, DONE, finish, sse, text, textReply, usageChunk } from "../helpers/chunks.ts";
import { FIXTURE_DIR, loadFixture } from "../helpers/fixtures.ts";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";
import { ensureCommand } from "../helpers/system-packages.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const CLI = join(ROOT, "src/cli.ts");
const PLAIN = { disallowedSpecial: new Set<string>() };
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream(() => textReply("traced answer", [1200, 3, 1000]));
});
afterAll(async () => {
  await upstream.stop();
});

/** Async: the upstreams these commands talk to live in this process. */
async function cli(args: string[]) {
  const p = Bun.spawn([BUN, CLI, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

async function proxyWithTraces(root: string, warnings: string[] = [], contextWindow?: number) {
  const logger = createConsola({ level: 3, reporters: [{ log: (o) => void warnings.push(o.args.join(" ")) }] });
  const backend = new OpenAICompatibleBackend({ profile: PROFILES.openai, baseUrl: upstream.url, logger });
  const app = createApp({
    backend,
    logger,
    routing: { model: "local-model" },
    traces: new TraceRecorder({ root, mode: "openai", logger }),
    ...(contextWindow ? { context: { window: contextWindow, truncate: false } } : {}),
  });
  return listen(app.fetch, { hostname: "127.0.0.1", port: 0 });
}

async function waitForFiles(dir: string, n: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    // Only finished traces: a `.partial` file is still being written and is renamed when done.
    const done = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : [];
    if (done.length >= n) return done.sort().map((f) => join(dir, f));
    await Bun.sleep(20);
  }
  throw new Error(`no trace files in ${dir}`);
}

describe("recorder", () => {
  test("writes request, upstream request, response and timings; secrets redacted; owner-only", async () => {
    const root = join(tempDir("traces"), "traces");
    const proxy = await proxyWithTraces(root);
    try {
      const res = await fetch(`${proxy.url}/v1/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": "sk-ant-api03-SECRETKEY1234567890", authorization: "Bearer sk-or-v1-SECRET0987654321", cookie: "session=SECRETCOOKIE", "x-claude-code-session-id": "sess-1" },
        body: JSON.stringify({ model: "claude-x", max_tokens: 20, stream: true, messages: [{ role: "user", content: "my key is sk-proj-SECRETINPROMPT12345 please" }] }),
      });
      expect(await res.text()).toContain("traced answer");
      const [file] = await waitForFiles(join(root, "openai"), 1);
      const raw = readFileSync(file!, "utf8");
      for (const secret of ["SECRETKEY", "SECRET0987", "SECRETCOOKIE", "SECRETINPROMPT"]) expect(raw).not.toContain(secret);
      const trace = JSON.parse(raw);
      expect(trace).toMatchObject({
        version: 1,
        mode: "openai",
        session: "sess-1",
        model: "claude-x",
        backendModel: "local-model",
        request: { messages: [{ role: "user", content: "my key is [redacted] please" }] },
        upstreamRequest: { model: "local-model", stream: true },
        response: { content: [{ type: "text", text: "traced answer" }], stop_reason: "end_turn" },
        usage: { input_tokens: 200, output_tokens: 3, cache_read_input_tokens: 1000 },
        error: null,
      });
      expect(trace.requestHeaders["x-api-key"]).toBe("[redacted]");
      const t = trace.timings;
      expect(t.received).toBeLessThanOrEqual(t.upstreamFirstByte);
      expect(t.upstreamFirstByte).toBeLessThanOrEqual(t.firstToken);
      expect(t.firstToken).toBeLessThanOrEqual(t.lastToken);
      expect(t.lastToken).toBeLessThanOrEqual(t.finished);
      expect(statSync(file!).mode & 0o777).toBe(0o600);
      expect(statSync(join(root, "openai")).mode & 0o777).toBe(0o700);
      expect(statSync(root).mode & 0o777).toBe(0o700);
    } finally {
      await proxy.stop();
    }
  });

  test("context warnings (75%/90% of the window) go into the log and the trace", async () => {
    const root = join(tempDir("traces"), "traces");
    const warnings: string[] = [];
    const proxy = await proxyWithTraces(root, warnings, 100_000);
    try {
      const words = Array.from({ length: 40_000 }, (_, i) => `w${i % 100}`).join(" "); // about 80k tokens (" w", "NN")
      const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "c", max_tokens: 50, messages: [{ role: "user", content: words }] }) });
      expect(res.status).toBe(200);
      const [file] = await waitForFiles(join(root, "openai"), 1);
      const trace = JSON.parse(readFileSync(file!, "utf8"));
      expect(trace.warnings).toEqual([expect.stringMatching(/^context: the prompt uses over (75|90)% of the 100000-token window/)]);
      expect(warnings.some((w) => w.includes("of the 100000-token window"))).toBe(true);
    } finally {
      await proxy.stop();
    }
  });

  test("a trace directory that cannot be written never fails the request", async () => {
    const blocker = join(tempDir("blocked"), "not-a-dir");
    writeFileSync(blocker, "a file where the trace folder should be");
    const warnings: string[] = [];
    const proxy = await proxyWithTraces(blocker, warnings);
    try {
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }) });
        expect(res.status).toBe(200);
      }
      await Bun.sleep(100);
      expect(warnings.filter((w) => w.includes("could not write traces"))).toHaveLength(1);
    } finally {
      await proxy.stop();
    }
  });
});

describe("trace analyze", () => {
  for (const name of ["print-mode-hello", "print-mode-bash-tool-result", "interactive-hello"]) {
    test(`${name}: counts match gpt-tokenizer computed here`, async () => {
      const r = await cli(["trace", "analyze", join(FIXTURE_DIR, `${name}.json`), "--json"]);
      expect(r.code).toBe(0);
      const got = JSON.parse(r.stdout);
      const body = loadFixture(name).body as { system: { text: string }[]; tools: { name: string }[]; messages: { role: string; content: { type: string; text?: string }[] }[] };
      expect(got.system).toBe(countTokens(body.system.map((b) => b.text).join("\n\n"), PLAIN));
      for (const tool of body.tools) expect(got.tools.find((t: { name: string }) => t.name === tool.name).tokens).toBe(countTokens(JSON.stringify(tool), PLAIN));
      const userText = body.messages.filter((m) => m.role === "user").flatMap((m) => m.content.filter((b) => b.type === "text").map((b) => b.text!));
      expect(got.messages.user).toBe(userText.reduce((n, t) => n + countTokens(t, PLAIN), 0));
      expect(got.total).toBeGreaterThan(got.system);
    });
  }

  test("the cache-stable prefix against the previous request of the session", async () => {
    const root = join(tempDir("traces"), "traces");
    const proxy = await proxyWithTraces(root);
    try {
      const base = loadFixture("print-mode-hello").body;
      const follow = loadFixture("print-mode-bash-tool-result").body;
      for (const body of [base, follow]) {
        await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "x-claude-code-session-id": "s1" }, body: JSON.stringify({ ...body, stream: false }) }).then((r) => r.text());
        await Bun.sleep(30);
      }
      await waitForFiles(join(root, "openai"), 2);
      const cfg = join(tempDir("cfg"), ".anyclauderc.json");
      writeFileSync(cfg, JSON.stringify({ traces: { dir: root } }));
      const r = await cli(["trace", "analyze", "latest", "--json", "--config", cfg]);
      expect(r.code).toBe(0);
      const got = JSON.parse(r.stdout);
      expect(got.stablePrefix.tokens).toBeGreaterThan(0.8 * got.stablePrefix.ofPrevious);
      const list = await cli(["trace", "list", "--json", "--config", cfg]);
      expect(JSON.parse(list.stdout)).toHaveLength(2);
    } finally {
      await proxy.stop();
    }
  });
});

describe("trace replay and compare", () => {
  let slow: Upstream;
  const results = tempDir("results");
  beforeAll(async () => {
    // 300 ms before the first token, then 50 tokens 10 ms apart.
    const frames = [chunk({ role: "assistant", content: "" }), { delayMs: 300 }, text("t0 "), ...Array.from({ length: 49 }, (_, i) => [{ delayMs: 10 }, text(`t${i + 1} `)]).flat()];
    slow = await startUpstream(() => sse(...frames, finish("stop"), usageChunk(5000, 50, 4000), DONE));
  });
  afterAll(async () => {
    await slow.stop();
  });

  test("replay measures prompt processing, generation and tokens/s within tolerance", async () => {
    for (const model of ["fast-model", "other-model"]) {
      const r = await cli(["trace", "replay", join(FIXTURE_DIR, "print-mode-hello.json"), "--mode", "openai", "--base-url", slow.url, "--model", model, "--runs", "3", "--out", results]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("3/3");
    }
    const files = readdirSync(results);
    expect(files).toHaveLength(2);
    const result = JSON.parse(readFileSync(join(results, files[0]!), "utf8"));
    expect(result.runs).toHaveLength(3);
    // The first answer of a model not yet known to answer plainly is held until it shows it is
    // not a pre-opened <think> (wire brief); from the second run on, text streams as it comes.
    expect(result.runs[0].promptMs).toBeGreaterThanOrEqual(290);
    expect(result.runs[0]).toMatchObject({ outputTokens: 50, cachedTokens: 4000, inputTokens: 1000 });
    for (const run of result.runs.slice(1)) {
      expect(run.promptMs).toBeGreaterThanOrEqual(290);
      expect(run.promptMs).toBeLessThan(600);
      expect(run.generationMs).toBeGreaterThanOrEqual(480);
      expect(run.generationMs).toBeLessThan(900);
      expect(run.tokensPerSecond).toBeGreaterThan(50 / 0.9);
      expect(run.tokensPerSecond).toBeLessThanOrEqual(50 / 0.48);
      expect(run).toMatchObject({ outputTokens: 50, cachedTokens: 4000, inputTokens: 1000 });
    }
  }, 60_000);

  test("compare prints the table and an HTML report whose chart Chromium renders, one bar per model", async () => {
    // A third model, written by hand, to make the chart's bar count meaningful.
    writeFileSync(join(results, "mlx-third.json"), JSON.stringify({ version: 1, mode: "mlx", model: "third-model", trace: "x", startedAt: "", runs: [1, 2, 3].map((run) => ({ run, promptMs: 100, generationMs: 200 * run, totalMs: 300 * run, outputTokens: 50, inputTokens: 10, cachedTokens: 0, tokensPerSecond: 250 / run })) }));
    const html = join(tempDir("report"), "report.html");
    const r = await cli(["trace", "compare", results, "--html", html]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("openai/fast-model");
    expect(r.stdout).toContain("mlx/third-model");
    const json = JSON.parse((await cli(["trace", "compare", results, "--json"])).stdout);
    expect(json).toHaveLength(3);

    ensureCommand("chromium");
    const shot = join(tempDir("shot"), "report.png");
    const flags = ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1000,900"];
    const s = Bun.spawnSync(["chromium", ...flags, `--screenshot=${shot}`, `file://${html}`]);
    expect(s.exitCode).toBe(0);
    expect(statSync(shot).size).toBeGreaterThan(10_000);
    const dom = Bun.spawnSync(["chromium", ...flags, "--dump-dom", `file://${html}`]).stdout.toString();
    const chart = /<svg id="total-chart"[\s\S]*?<\/svg>/.exec(dom)![0];
    expect(chart.match(/<g class="bar"/g)).toHaveLength(3);
    for (const model of ["openai/fast-model", "openai/other-model", "mlx/third-model"]) expect(chart).toContain(`data-model="${model}"`);
  }, 120_000);
});
