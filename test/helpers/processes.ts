// Real processes for end-to-end tests: `anyclaude serve` and the real Claude Code CLI.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";

export const ROOT = join(import.meta.dir, "../..");
export const BUN = process.execPath;
export const CLAUDE = join(ROOT, "node_modules/.bin/claude");

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), `anyclaude-${prefix}-`));

export interface ServeProcess {
  url: string;
  proc: Subprocess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `anyclaude serve` (from source, or a given command such as the compiled binary). */
export async function startServe(
  args: string[],
  command: string[] = [BUN, join(ROOT, "src/cli.ts")],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<ServeProcess> {
  const proc = Bun.spawn([...command, "serve", "--port", "0", ...args], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, NO_COLOR: "1", ...opts.env },
  });
  let out = "";
  const decoder = new TextDecoder();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const c of s) out += decoder.decode(c);
  };
  // Awaited by stop(): what the process wrote last is in output() once it has exited.
  const drained = Promise.all([pump(proc.stdout), pump(proc.stderr)]);
  const deadline = Date.now() + 20_000;
  let url: string | undefined;
  while (!url && Date.now() < deadline) {
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    if (proc.exitCode !== null) throw new Error(`serve exited ${proc.exitCode}: ${out}`);
    if (!url) await Bun.sleep(20);
  }
  if (!url) {
    proc.kill();
    throw new Error(`serve did not start: ${out}`);
  }
  return {
    url,
    proc,
    output: () => out,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
      await drained;
    },
  };
}

export interface ClaudeRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  ms: number;
  cwd: string;
}

/** Runs the real Claude Code CLI in print mode in a fresh temp directory with a fresh HOME. */
export async function runClaude(
  baseUrl: string,
  prompt: string,
  opts: { args?: string[]; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<ClaudeRun> {
  const cwd = opts.cwd ?? tempDir("work");
  const home = tempDir("home");
  const started = Date.now();
  const proc = Bun.spawn([CLAUDE, "-p", prompt, "--output-format", "json", ...(opts.args ?? [])], {
    cwd,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      ANTHROPIC_BASE_URL: baseUrl,
      ANTHROPIC_API_KEY: "test-key",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      ...opts.env,
    },
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), opts.timeoutMs ?? 90_000);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const exitCode = await proc.exited;
  clearTimeout(timer);
  return { exitCode, stdout, stderr, ms: Date.now() - started, cwd };
}

export function resultOf(run: ClaudeRun): Record<string, unknown> {
  try {
    return JSON.parse(run.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`claude printed no JSON (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until the process is gone; false if it is still there after ms. */
export async function gone(pid: number, ms = 8000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!alive(pid)) return true;
    await Bun.sleep(50);
  }
  return !alive(pid);
}
