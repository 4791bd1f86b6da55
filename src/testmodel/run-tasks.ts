// Runs each built-in task with the real Claude Code CLI (print mode) against the proxy, in a fresh
// temp folder, and judges it from the files left behind and the final answer.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claudeEnv } from "../launcher/claude-env.ts";
import { builtInTasks, type Task } from "./tasks.ts";

export interface TaskOutcome {
  id: string;
  title: string;
  pass: boolean;
  reason: string;
  turns: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  ms: number;
}

export interface TaskTarget {
  claudePath: string;
  proxyUrl: string;
  launchKey: string;
  contextWindow?: number;
  timeoutMs: number;
}

/** Claude Code may use these, and only inside the task's own temp folder. */
const CLAUDE_ARGS = ["--output-format", "json", "--allowedTools", "Read Edit Write Bash", "--max-turns", "15"];

interface ClaudeResult {
  result?: string;
  is_error?: boolean;
  num_turns?: number;
  usage?: { input_tokens?: number; cache_read_input_tokens?: number; cache_creation_input_tokens?: number; output_tokens?: number };
}

function runClaudePrint(target: TaskTarget, prompt: string, cwd: string): Promise<{ code: number; stdout: string; stderr: string; timedOut: boolean }> {
  const env = claudeEnv(process.env, { proxyUrl: target.proxyUrl, launchKey: target.launchKey, contextWindow: target.contextWindow });
  return new Promise((resolve, reject) => {
    const child = spawn(target.claudePath, ["-p", prompt, ...CLAUDE_ARGS], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    // Whatever ends us, Claude Code goes too; a task that runs too long is stopped.
    const killOnExit = () => child.kill("SIGKILL");
    process.on("exit", killOnExit);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, target.timeoutMs);
    child.once("error", (e) => {
      clearTimeout(timer);
      process.off("exit", killOnExit);
      reject(e);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      process.off("exit", killOnExit);
      resolve({ code: code ?? 1, stdout, stderr, timedOut });
    });
  });
}

export async function runTask(target: TaskTarget, task: Task): Promise<TaskOutcome> {
  const dir = mkdtempSync(join(tmpdir(), `anyclaude-task-${task.id}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  try {
    for (const [name, text] of Object.entries(task.files)) writeFileSync(join(dir, name), text);
    const running = runClaudePrint(target, task.prompt, dir);
    // Registered after Claude Code's kill-on-exit, so on a signal it is killed first, then the folder goes.
    process.on("exit", remove);
    const run = await running.finally(() => process.off("exit", remove));
    const ms = Math.round(performance.now() - started);
    let out: ClaudeResult | null = null;
    try {
      out = JSON.parse(run.stdout) as ClaudeResult;
    } catch {}
    const base = { id: task.id, title: task.title, ms, turns: out?.num_turns ?? null };
    const u = out?.usage;
    const tokens = { inputTokens: u ? (u.input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) : null, outputTokens: u?.output_tokens ?? null };
    if (run.timedOut) return { ...base, ...tokens, pass: false, reason: `not done within ${Math.round(target.timeoutMs / 1000)} s` };
    if (!out) return { ...base, ...tokens, pass: false, reason: `claude exited ${run.code} without a result: ${(run.stderr || run.stdout).trim().split("\n").at(-1)?.slice(0, 160) ?? ""}` };
    const read = (name: string) => {
      try {
        return readFileSync(join(dir, name), "utf8");
      } catch {
        return null;
      }
    };
    const judged = task.judge({ read, answer: out.result ?? "" });
    // A task whose files are right still failed if Claude Code itself ended in an error.
    if (judged.pass && out.is_error) return { ...base, ...tokens, pass: false, reason: `files right, but Claude Code ended in an error: ${String(out.result).slice(0, 120)}` };
    return { ...base, ...tokens, ...judged };
  } finally {
    remove();
  }
}

export async function runTasks(target: TaskTarget, onTask?: (t: TaskOutcome) => void): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = [];
  for (const task of builtInTasks(randomBytes(4).toString("hex"))) {
    const outcome = await runTask(target, task);
    outcomes.push(outcome);
    onTask?.(outcome);
  }
  return outcomes;
}
