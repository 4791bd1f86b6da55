// A held-out newcomer run (issues 12/13 follow-up): the mistakes and odd states a new user meets,
// against both shipped artefacts (the linux-x64 binary and the Node bundle) with an empty HOME.
// Each row was a stack, a wrong hint or a misleading ✗ before it was fixed.
import { beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Artefacts, artefacts, runners } from "../helpers/artefacts.ts";
import { ROOT, tempDir } from "../helpers/processes.ts";

const PATH = `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`;
// Found once, so the Node bundle still starts when a case narrows PATH.
const NODE = Bun.which("node") ?? "node";
let built: Artefacts;

beforeAll(async () => {
  built = await artefacts();
}, 300_000);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function start(cmd: string[], args: string[], opts: { env?: Record<string, string>; home?: string; color?: boolean } = {}) {
  return Bun.spawn([...cmd, ...args], {
    cwd: tempDir("cwd"),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH, HOME: opts.home ?? tempDir("home"), ...(opts.color ? {} : { NO_COLOR: "1" }), ...opts.env },
  });
}

async function finish(p: ReturnType<typeof start>): Promise<Run> {
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

/** One line on stderr, nothing on stdout, no stack. */
function expectOneLine(r: Run, code: number, says: RegExp): void {
  const lines = r.stderr.split("\n").filter((l) => l.trim());
  expect(lines).toEqual([expect.stringMatching(says)]);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(code);
}

/** A HOME whose traces folder holds what a newcomer's may: links to removed folders and files. */
function danglingTraces(): string {
  const home = tempDir("home");
  const traces = join(home, ".anyclaude", "traces");
  mkdirSync(join(traces, "ollama"), { recursive: true });
  symlinkSync(join(home, "gone"), join(traces, "lmstudio"));
  symlinkSync(join(home, "gone.json"), join(traces, "ollama", "2026-01-01T00-00-00-000Z-x.json"));
  return home;
}

function tracesIsAFile(): string {
  const home = tempDir("home");
  mkdirSync(join(home, ".anyclaude"));
  writeFileSync(join(home, ".anyclaude", "traces"), "not a folder");
  return home;
}

/** A folder holding only `python3`: a script that says it is Python `version`, and sleeps for anything else. */
function fakePython(version: string): string {
  const dir = tempDir("python");
  const script = `#!/bin/sh\ncase "$*" in *sys.version_info*) echo ${version}; exit 0;; esac\nexec sleep 60\n`;
  writeFileSync(join(dir, "python3"), script);
  chmodSync(join(dir, "python3"), 0o755);
  return dir;
}

/** A results folder with one replay result, as `trace replay --out` writes it. */
function results(): string {
  const dir = tempDir("replays");
  const result = { version: 1, mode: "openai", model: "m", trace: "x.json", startedAt: "2026-01-01T00:00:00.000Z", runs: [{ run: 1, error: "no complete answer within 1 s" }] };
  writeFileSync(join(dir, "openai-m-1.json"), JSON.stringify(result));
  return dir;
}

/** A path under a file: no folder can be made there. */
function underAFile(): string {
  const file = join(tempDir("file"), "file");
  writeFileSync(file, "");
  return join(file, "sub");
}

const FIXTURE = join(ROOT, "test/fixtures/claude-code/print-mode-hello.json");

for (const [artefact, which] of [
  ["linux-x64 binary", 0],
  ["Node bundle", 1],
] as const) {
  describe(artefact, () => {
    const cmd = () => runners(built)[which]![1].map((w) => (w === "node" ? NODE : w));
    const run = async (args: string[], opts: Parameters<typeof start>[2] = {}) => finish(start(cmd(), args, opts));

    const failures: [string, string[], () => Parameters<typeof start>[2], number, RegExp][] = [
      ["a typo of a command", ["sevre"], () => ({}), 2, /^\[anyclaude\] ✖ unknown command sevre; did you mean anyclaude serve\?$/],
      ["help as a command", ["help"], () => ({}), 2, /unknown command help; did you mean anyclaude --help\?/],
      ["--port -1", ["serve", "--port", "-1", "--mode", "vllm"], () => ({}), 2, /--port: expected a number from 0 to 65535 .*found "-1"/],
      ["--mode with no value", ["serve", "--mode"], () => ({}), 2, /--mode needs a value/],
      ["Claude Code's option without --", ["--resume"], () => ({}), 2, /put it after --: anyclaude -- --resume$/],
      ["trace analyze among dangling links", ["trace", "analyze", "latest"], () => ({ home: danglingTraces() }), 1, /no traces in .*: turn them on with --trace/],
      ["trace list when traces is a file", ["trace", "list"], () => ({ home: tracesIsAFile() }), 1, /traces folder .*\.anyclaude\/traces is not a folder; move it away, or set traces\.dir/],
      ["setup mlx with only Python 3.9", ["setup", "mlx"], () => ({ env: { PATH: fakePython("3.9") } }), 1, /only Python 3\.9 \(python3[^)]*\) found; mlx-lm needs Python ≥ 3\.10: install one/],
      ["setup mlx with no Python", ["setup", "mlx"], () => ({ env: { PATH: tempDir("empty") } }), 1, /no Python found; mlx-lm needs Python ≥ 3\.10/],
      ["compare --html into a missing folder", ["trace", "compare", "RESULTS", "--html", "/nonexistent/report.html"], () => ({}), 1, /cannot write report file \/nonexistent\/report\.html: \/nonexistent does not exist$/],
      ["replay --out where no folder can be made, before any run", ["trace", "replay", FIXTURE, "--mode", "openai", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--out", "UNDER_A_FILE"], () => ({}), 1, /cannot create results folder .*\/file\/sub: part of the path is a file, not a folder$/],
    ];
    const placed = (args: string[]) => args.map((a) => (a === "RESULTS" ? results() : a === "UNDER_A_FILE" ? underAFile() : a));
    for (const [what, args, opts, code, says] of failures) test(`${what}: one line, exit ${code}`, async () => expectOneLine(await run(placed(args), opts()), code, says));

    test("trace --limit 5 list: an option of list before list", async () => {
      const r = await run(["trace", "--limit", "5", "list", "--json"], { home: danglingTraces() });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([]);
      expect((await run(["trace", "--limit", "0", "list"])).stderr).toContain("--limit: expected a whole number of at least 1");
    });

    test("doctor in mlx mode with nothing running says anyclaude starts its own server", async () => {
      const r = await run(["doctor", "--mode", "mlx", "--json"]);
      const report = JSON.parse(r.stdout) as { checks: { name: string; ok: boolean; detail: string }[] };
      expect(report.checks.find((c) => c.name === "mlx server")).toMatchObject({ ok: true, detail: expect.stringContaining("anyclaude starts its own") });
      expect(r.stdout).not.toContain("8081");
      expect(report.checks.map((c) => c.name)).toContain("mlx-lm");
      // A URL given: that server is checked, and found missing.
      const given = await run(["doctor", "--mode", "mlx", "--base-url", "http://127.0.0.1:9/v1"]);
      expect(given.stdout).toMatch(/✗ mlx backend .*\n\s+fix: start the mlx server/);
    });

    test("doctor in openrouter mode without a key says to set one", async () => {
      const r = await run(["doctor", "--mode", "openrouter", "--base-url", "http://127.0.0.1:9/v1"]);
      expect(r.stdout).toMatch(/✗ api key +none\n\s+fix: set OPENROUTER_API_KEY/);
      expect(r.code).toBe(1);
      const keyed = await run(["doctor", "--mode", "openrouter", "--base-url", "http://127.0.0.1:9/v1", "--json"], { env: { OPENROUTER_API_KEY: "sk-or-test" } });
      expect(JSON.parse(keyed.stdout).checks).toContainEqual({ name: "api key", ok: true, detail: "set" });
      expect(keyed.stdout).not.toContain("sk-or-test");
    });

    test("openrouter without a key: serve, --proxy-only and the launcher stop before starting, one line", async () => {
      // A loopback URL, so nothing could leave the machine if the check were missing.
      for (const args of [["serve"], ["--proxy-only"], []]) {
        const r = await run([...args, "--mode", "openrouter", "--base-url", "http://127.0.0.1:9/v1"]);
        expectOneLine(r, 2, /OpenRouter needs an API key: set OPENROUTER_API_KEY \(or pass --api-key/);
      }
    });

    test("piped without NO_COLOR: no escape codes", async () => {
      for (const args of [["sevre"], ["doctor", "--mode", "mlx"], ["trace", "list"]]) {
        const r = await run(args, { color: true });
        expect(r.stdout + r.stderr).not.toContain("\x1b");
      }
    });

    test("Ctrl-C during setup mlx: the running step stops too, one line, exit 130", async () => {
      const home = tempDir("home");
      const python = join(fakePython("3.12"), "python3");
      const p = start(cmd(), ["setup", "mlx", "--python", python], { home });
      // The venv step is running once setup has said so.
      const reader = p.stderr.getReader();
      let seen = "";
      while (!seen.includes("-m venv")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      // Logged just before it is spawned: wait for the child itself.
      let step = "";
      while (!/^\d+$/.test(step)) {
        await Bun.sleep(20);
        step = Bun.spawnSync(["pgrep", "-P", String(p.pid)]).stdout.toString().trim();
      }
      p.kill("SIGINT");
      const code = await p.exited;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += new TextDecoder().decode(value);
      }
      expect(code).toBe(130);
      expect(seen.trim().split("\n").at(-1)).toMatch(/interrupted during `?.*-m venv .*`?; run `?anyclaude setup mlx`? again to finish$/);
      expect(seen).not.toMatch(/\n\s+at /);
      // The step was signalled too: no sleeping "python" left behind.
      expect(Bun.spawnSync(["kill", "-0", step]).exitCode).not.toBe(0);
    }, 30_000);
  });
}
