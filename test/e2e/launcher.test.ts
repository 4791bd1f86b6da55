// The `anyclaude` command as a user types it: config, launching Claude Code, signals and exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { DONE, finish, sse, textReply, toolStart, usageChunk } from "../helpers/chunks.ts";
import { compactionEnv } from "../../src/launcher/claude-env.ts";
import { alive, BUN, ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const CLI = join(ROOT, "src/cli.ts");
const NODE_BIN = join(ROOT, "node_modules/.bin");
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream(() => textReply("hello through the launcher"));
});
afterAll(async () => {
  await upstream.stop();
});

/** A PATH directory whose `claude` is the recording fake. */
function fakeClaudeDir(): { dir: string; log: string } {
  const dir = tempDir("fakebin");
  copyFileSync(join(ROOT, "test/fixtures/fake-claude.cjs"), join(dir, "claude"));
  chmodSync(join(dir, "claude"), 0o755);
  return { dir, log: join(dir, "log.jsonl") };
}
const readLog = (log: string) =>
  existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];

interface Launched {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  stderr: () => string;
}

function launch(args: string[], env: Record<string, string>, cwd = tempDir("cwd")): Launched {
  const proc = Bun.spawn([BUN, CLI, ...args], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: `${NODE_BIN}:/usr/bin:/bin`, HOME: tempDir("home"), NO_COLOR: "1", ...env },
  });
  let err = "";
  void (async () => {
    for await (const c of proc.stderr) err += new TextDecoder().decode(c);
  })();
  return { proc, stderr: () => err };
}

async function waitFor<T>(f: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out waiting");
    await Bun.sleep(25);
  }
}

describe("launcher with the real Claude Code CLI", () => {
  test("anyclaude --mode lmstudio -- -p … answers from the backend", async () => {
    const home = tempDir("home");
    const l = launch(["--mode", "lmstudio", "--", "-p", "say hi", "--output-format", "json"], { LMSTUDIO_URL: upstream.url, HOME: home });
    const stdout = await new Response(l.proc.stdout).text();
    expect(await l.proc.exited).toBe(0);
    expect(JSON.parse(stdout).result).toBe("hello through the launcher");
    // Onboarding was completed for a fresh HOME, and the change was announced.
    expect(JSON.parse(readFileSync(join(home, ".claude.json"), "utf8")).hasCompletedOnboarding).toBe(true);
    expect(l.stderr()).toContain("marked its onboarding complete");
  });
});

describe("compaction variables, checked against the real CLI", () => {
  const COMPACTION = "CRITICAL: Respond with TEXT ONLY";

  /** Two print-mode turns (the second with --continue) whose prompts report 31k tokens; did Claude Code compact? */
  async function compacts(env: Record<string, string>): Promise<boolean> {
    let compacted = false;
    const up = await startUpstream((req) => {
      const last = req.messages.at(-1)!;
      if (JSON.stringify(last).includes(COMPACTION)) {
        compacted = true;
        return textReply("<summary>compacted</summary>", [31000, 10]);
      }
      // A tool round per turn, as in real sessions; every answer reports a 31k-token prompt.
      if (last.role !== "tool") return sse(toolStart(0, "c1", "Bash", '{"command":"echo hi","description":"Say hi"}'), finish("tool_calls"), usageChunk(31000, 10), DONE);
      return textReply("an answer", [31000, 10]);
    });
    const serve = await startServe(["--mode", "openai", "--base-url", up.url, "--model", "m"]);
    try {
      const cwd = tempDir("compact");
      const home = tempDir("home");
      for (const args of [["-p", "first"], ["-p", "second", "--continue"]]) {
        const p = Bun.spawn([join(NODE_BIN, "claude"), ...args, "--output-format", "json", "--allowedTools", "Bash"], {
          cwd,
          stdin: "ignore",
          stdout: "ignore",
          stderr: "ignore",
          env: { PATH: `${NODE_BIN}:/usr/bin:/bin`, HOME: home, ANTHROPIC_BASE_URL: serve.url, ANTHROPIC_AUTH_TOKEN: "x", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", ...env },
        });
        await p.exited;
      }
    } finally {
      await serve.stop();
      await up.stop();
    }
    return compacted;
  }

  test("for a 32k window, the launcher's variables make Claude Code compact at 31k tokens; without them it does not", async () => {
    expect(compactionEnv(32768)).toEqual({ CLAUDE_CODE_AUTO_COMPACT_WINDOW: "100000", CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: "26" });
    expect(await compacts({})).toBe(false);
    expect(await compacts(compactionEnv(32768))).toBe(true);
    // The naive setting is floored at 100k by Claude Code and does not compact here.
    expect(await compacts({ CLAUDE_CODE_AUTO_COMPACT_WINDOW: "32768" })).toBe(false);
  }, 120_000);
});

describe("launcher with a fake claude", () => {
  test("environment: proxy URL, per-launch key, no stray API key, context window, claude args", async () => {
    const fake = fakeClaudeDir();
    const l = launch(["--mode", "openai", "--base-url", upstream.url, "--", "--resume", "abc"], {
      PATH: `${fake.dir}:/usr/bin:/bin`,
      FAKE_CLAUDE_LOG: fake.log,
      FAKE_EXIT: "0",
      ANTHROPIC_API_KEY: "sk-ant-user-key",
    });
    expect(await l.proc.exited).toBe(0);
    const { env, argv } = readLog(fake.log)[0] as { env: Record<string, string>; argv: string[] };
    expect(argv).toEqual(["--resume", "abc"]);
    expect(env.ANTHROPIC_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(env.ANTHROPIC_AUTH_TOKEN).toMatch(/^anyclaude-[A-Za-z0-9_-]{32}$/);
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC).toBe("1");
    // 32768 learnt from the upstream's /v1/models; below Claude Code's 100k floor → a percentage.
    expect(env.CLAUDE_CODE_AUTO_COMPACT_WINDOW).toBe("100000");
    expect(env.CLAUDE_AUTOCOMPACT_PCT_OVERRIDE).toBe("26");
  });

  test("the proxy refuses a wrong key (401) and a non-loopback Host (403)", async () => {
    const fake = fakeClaudeDir();
    const l = launch(["--mode", "openai", "--base-url", upstream.url], { PATH: `${fake.dir}:/usr/bin:/bin`, FAKE_CLAUDE_LOG: fake.log, FAKE_PROBE: "1", FAKE_EXIT: "0" });
    expect(await l.proc.exited).toBe(0);
    const { probe } = readLog(fake.log).find((e) => e.probe) as { probe: Record<string, { status: number; body: { error: { type: string } } }> };
    expect(probe.right!.status).toBe(200);
    expect(probe.apiKeyHeader!.status).toBe(200);
    expect(probe.wrong).toMatchObject({ status: 401, body: { type: "error", error: { type: "authentication_error" } } });
    expect(probe.none).toMatchObject({ status: 401, body: { error: { type: "authentication_error" } } });
    expect(probe.foreignHost).toMatchObject({ status: 403, body: { type: "error", error: { type: "permission_error" } } });
  });

  for (const code of [0, 7, 42]) {
    test(`claude's exit code ${code} becomes ours`, async () => {
      const fake = fakeClaudeDir();
      const l = launch(["--mode", "openai", "--base-url", upstream.url], { PATH: `${fake.dir}:/usr/bin:/bin`, FAKE_CLAUDE_LOG: fake.log, FAKE_EXIT: String(code) });
      expect(await l.proc.exited).toBe(code);
    });
  }

  for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130], ["SIGHUP", 129]] as const) {
    test(`${signal} reaches claude, ${code} comes back, nothing survives`, async () => {
      const fake = fakeClaudeDir();
      const l = launch(["--mode", "openai", "--base-url", upstream.url], { PATH: `${fake.dir}:/usr/bin:/bin`, FAKE_CLAUDE_LOG: fake.log });
      const childPid = await waitFor(() => (readLog(fake.log)[0]?.pid as number | undefined));
      l.proc.kill(signal);
      expect(await l.proc.exited).toBe(code);
      expect(readLog(fake.log)).toContainEqual({ signal });
      expect(alive(childPid)).toBe(false);
      expect(alive(l.proc.pid)).toBe(false);
    });
  }

  test("missing claude: one clear line with the install command", async () => {
    const l = launch(["--mode", "openai", "--base-url", upstream.url], { PATH: "/usr/bin:/bin" });
    expect(await l.proc.exited).toBe(127);
    expect(l.stderr()).toContain("claude not found on PATH; install it with: npm install -g @anthropic-ai/claude-code");
  });

  test("a bad config names the file and path and exits 2 before anything starts", async () => {
    const cwd = tempDir("badcfg");
    writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "lmstudio", backends: { lmstudio: { port: "x" } } }));
    const fake = fakeClaudeDir();
    const l = launch([], { PATH: `${fake.dir}:/usr/bin:/bin`, FAKE_CLAUDE_LOG: fake.log }, cwd);
    expect(await l.proc.exited).toBe(2);
    expect(l.stderr()).toContain(`bad config in ${join(cwd, ".anyclauderc.json")} at backends.lmstudio.port: expected number, found "x"`);
    expect(existsSync(fake.log)).toBe(false);
  });

  test("--proxy-only serves without claude until SIGTERM", async () => {
    const l = launch(["--proxy-only", "--mode", "openai", "--base-url", upstream.url], { PATH: "/usr/bin:/bin" });
    const url = await waitFor(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(l.stderr())?.[1]);
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "c", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    l.proc.kill("SIGTERM");
    expect(await l.proc.exited).toBe(0);
  });

  test("a config file chooses the mode; secrets never reach the log", async () => {
    const cwd = tempDir("cfg");
    writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "openai", backends: { openai: { baseUrl: upstream.url, apiKey: "sk-secret-upstream-key" } } }));
    const fake = fakeClaudeDir();
    const l = launch(["--debug"], { PATH: `${fake.dir}:/usr/bin:/bin`, FAKE_CLAUDE_LOG: fake.log, FAKE_PROBE: "1", FAKE_EXIT: "0" }, cwd);
    expect(await l.proc.exited).toBe(0);
    expect(readLog(fake.log).find((e) => e.probe)).toMatchObject({ probe: { right: { status: 200 } } });
    expect(l.stderr()).not.toContain("sk-secret-upstream-key");
    expect(upstream.requests.length).toBeGreaterThan(0);
  });
});

describe("claude mode: passthrough to an Anthropic-format upstream", () => {
  test("bytes forwarded unchanged, the user's key replaces the launch key", async () => {
    const received: { body: string; headers: Record<string, string> }[] = [];
    const anthropic = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(req) {
        received.push({ body: await req.text(), headers: Object.fromEntries(req.headers) });
        const events = [
          { type: "message_start", message: { id: "msg_up", type: "message", role: "assistant", model: "claude-opus-5-5", content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } } },
          { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
          { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "from anthropic" } },
          { type: "content_block_stop", index: 0 },
          { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 3 } },
          { type: "message_stop" },
        ];
        return new Response(events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join(""), { headers: { "content-type": "text/event-stream" } });
      },
    });
    try {
      const l = launch(["--mode", "claude", "--base-url", `http://127.0.0.1:${anthropic.port}`, "--", "-p", "hi", "--output-format", "json"], {
        ANTHROPIC_API_KEY: "sk-ant-users-own-key",
      });
      const stdout = await new Response(l.proc.stdout).text();
      expect(await l.proc.exited).toBe(0);
      expect(JSON.parse(stdout).result).toBe("from anthropic");
      const main = received.find((r) => r.body.includes("x-anthropic-billing-header"))!;
      expect(main).toBeDefined(); // billing line kept: nothing translated
      expect(main.headers["x-api-key"]).toBe("sk-ant-users-own-key");
      expect(main.headers.authorization).toBeUndefined();
      expect(main.headers["anthropic-beta"]).toContain("claude-code-20250219");
      expect(JSON.parse(main.body).model).toMatch(/^claude-/);
    } finally {
      anthropic.stop(true);
    }
  });
});
