// Every subcommand, run from what is shipped (the linux-x64 binary and the Node bundle), never from
// source: --help, --version, serve + a streamed request, doctor, models, config --schema, setup mlx,
// trace analyze/replay (and Ctrl-C during it)/compare, and the launcher with a stand-in claude.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Artefacts, artefacts, runners } from "../helpers/artefacts.ts";
import { textReply } from "../helpers/chunks.ts";
import { FIXTURE_DIR } from "../helpers/fixtures.ts";
import { ROOT, startServe, tempDir } from "../helpers/processes.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

// Processes and builds on a shared 2-core machine: bun's 5 s default is too tight (bunfig has no test timeout).
setDefaultTimeout(60_000);

const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
const NODE_BIN = join(ROOT, "node_modules/.bin");
const ESC = "\u001b[";
let built: Artefacts;
let upstream: Upstream;

beforeAll(async () => {
  built = await artefacts();
  upstream = await startUpstream(() => textReply("from the artefact"));
}, 120_000);
afterAll(async () => {
  await upstream.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the artefact in a fresh cwd and HOME with stdout/stderr piped (not a TTY). */
async function run(command: string[], args: string[], env: Record<string, string> = {}): Promise<Run> {
  const p = Bun.spawn([...command, ...args], {
    cwd: tempDir("art"),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: `${NODE_BIN}:/usr/bin:/bin`, HOME: tempDir("arthome"), ...env },
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

// The names are fixed at load time; the commands are known once the build (beforeAll) is done.
for (const [name, index] of [["linux-x64 binary", 0], ["Node bundle", 1]] as const) {
  const command = () => runners(built)[index]![1];

  describe(name, () => {
    test("--help: usage with every subcommand, and no colour codes into a pipe", async () => {
      const r = await run(command(), ["--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("USAGE");
      for (const sub of ["launch", "serve", "doctor", "models", "config", "setup", "trace"]) expect(r.stdout).toContain(sub);
      expect(r.stdout).not.toContain(ESC);
    });

    test("--version", async () => {
      const r = await run(command(), ["--version"]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(VERSION);
    });

    test("serve + a streamed request: Anthropic SSE from the first event to message_stop", async () => {
      const serve = await startServe(["--mode", "openai", "--base-url", upstream.url, "--model", "m"], command());
      try {
        const res = await fetch(`${serve.url}/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "claude-x", max_tokens: 20, stream: true, messages: [{ role: "user", content: "hi" }] }),
        });
        expect(res.status).toBe(200);
        const events = [...(await res.text()).matchAll(/^event: (\S+)/gm)].map((m) => m[1]);
        expect(events[0]).toBe("message_start");
        expect(events.at(-1)).toBe("message_stop");
        expect(events).toContain("content_block_delta");
      } finally {
        await serve.stop();
      }
    });

    test("serve in MLX mode writes out the embedded server, runs it, and logs its real URL", async () => {
      const cwd = tempDir("artmlx");
      writeFileSync(join(cwd, ".anyclauderc.json"), JSON.stringify({ backend: "mlx", backends: { mlx: { python: "python3", serverArgs: ["--engine", "fake"] } } }));
      const serve = await startServe([], command(), { cwd, env: { HOME: tempDir("artmlxhome") } });
      try {
        const backend = /→ mlx at (http:\/\/127\.0\.0\.1:\d+\S*)/.exec(serve.output())?.[1];
        expect(backend).toBeDefined();
        expect(backend).not.toContain(":8081");
        expect((await fetch(`${backend!.replace(/\/v1$/, "")}/v1/models`)).status).toBe(200);
      } finally {
        await serve.stop();
      }
    }, 60_000);

    test("doctor: claude found, backend reachable, model and window", async () => {
      const r = await run(command(), ["doctor", "--mode", "openai", "--base-url", upstream.url], { NO_COLOR: "1" });
      const out = r.stdout + r.stderr;
      expect(out).toMatch(/✓ openai backend\s+reachable/);
      expect(out).toMatch(/✓ context window\s+32768 tokens/);
      expect(r.code).toBe(0);
    });

    test("models --json", async () => {
      const r = await run(command(), ["models", "--mode", "openai", "--base-url", upstream.url, "--json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([{ id: "test-model", contextWindow: 32768 }]);
    });

    test("config --schema", async () => {
      const r = await run(command(), ["config", "--schema"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).properties.backends.type).toBe("object");
    });

    test("setup mlx writes the embedded requirements and runs pip with them (stand-in python)", async () => {
      const log = join(tempDir("pylog"), "calls.txt");
      const home = tempDir("sethome");
      const r = await run(command(), ["setup", "mlx", "--python", join(ROOT, "test/fixtures/fake-python.sh")], { HOME: home, FAKE_PYTHON_LOG: log, NO_COLOR: "1" });
      expect(r.stderr).not.toContain("ENOENT");
      expect(r.code).toBe(0);
      const requirements = join(home, ".anyclaude", "mlx-requirements.txt");
      expect(readFileSync(requirements, "utf8")).toBe(readFileSync(join(ROOT, "mlx/requirements.txt"), "utf8"));
      expect(readFileSync(log, "utf8")).toContain(`-m pip install -r ${requirements}`);
    });

    test("trace analyze, replay and compare", async () => {
      const fixture = join(FIXTURE_DIR, "print-mode-hello.json");
      const analyze = await run(command(), ["trace", "analyze", fixture, "--json"]);
      expect(analyze.code).toBe(0);
      expect(JSON.parse(analyze.stdout)).toBeObject();
      const results = tempDir("artresults");
      const replay = await run(command(), ["trace", "replay", fixture, "--mode", "openai", "--base-url", upstream.url, "--model", "m", "--runs", "1", "--out", results]);
      expect(replay.code).toBe(0);
      expect(readdirSync(results)).toHaveLength(1);
      const compare = await run(command(), ["trace", "compare", results, "--json"]);
      expect(compare.code).toBe(0);
      expect(JSON.parse(compare.stdout)).toHaveLength(1);
    }, 60_000);

    test("Ctrl-C during replay: the run in flight stops, the runs already measured are saved, exit 130", async () => {
      // The first run is answered, the second never is: the user gives up on it.
      const stalling = await startUpstream((_req, n) => (n === 0 ? textReply("first") : { kind: "sse", frames: [], stall: true }));
      const out = tempDir("interrupted");
      try {
        const p = Bun.spawn([...command(), "trace", "replay", join(FIXTURE_DIR, "print-mode-hello.json"), "--mode", "openai", "--base-url", stalling.url, "--model", "m", "--runs", "3", "--out", out], {
          cwd: tempDir("art"),
          stdin: "ignore",
          stdout: "pipe",
          stderr: "pipe",
          env: { PATH: `${NODE_BIN}:/usr/bin:/bin`, HOME: tempDir("arthome"), NO_COLOR: "1" },
        });
        let stderr = "";
        const decoder = new TextDecoder();
        const reading = (async () => {
          for await (const c of p.stderr) stderr += decoder.decode(c, { stream: true });
        })();
        for (let i = 0; i < 400 && !stderr.includes("run 2/3: sending"); i++) await Bun.sleep(25);
        expect(stderr).toContain("run 2/3: sending");
        p.kill("SIGINT");
        const code = await p.exited;
        await reading;
        expect(code).toBe(130);
        expect(stderr).toMatch(/interrupted after 1 of 3 runs; results so far: .*\.json/);
        const files = readdirSync(out);
        expect(files).toHaveLength(1);
        const saved = JSON.parse(readFileSync(join(out, files[0]!), "utf8"));
        expect(saved.runs).toHaveLength(1);
        expect(saved.runs[0].error).toBeUndefined();
        expect(saved.runs[0].outputTokens).toBeGreaterThan(0);
      } finally {
        await stalling.stop();
      }
    }, 60_000);

    test("the launcher starts the proxy and runs claude (stand-in) against it, passing its exit code", async () => {
      const bin = tempDir("fakebin");
      copyFileSync(join(ROOT, "test/fixtures/fake-claude.cjs"), join(bin, "claude"));
      chmodSync(join(bin, "claude"), 0o755);
      const log = join(bin, "log.jsonl");
      const r = await run(command(), ["--mode", "openai", "--base-url", upstream.url, "--", "--resume", "abc"], {
        PATH: `${bin}:/usr/bin:/bin`,
        FAKE_CLAUDE_LOG: log,
        FAKE_PROBE: "1",
        FAKE_EXIT: "7",
        NO_COLOR: "1",
      });
      expect(r.code).toBe(7);
      const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines[0]!.argv).toEqual(["--resume", "abc"]);
      const probe = lines.find((l) => l.probe)!.probe as Record<string, { status: number }>;
      expect(probe.right!.status).toBe(200);
      expect(probe.wrong!.status).toBe(401);
    });
  });
}
