// One model test as saved (~/.anyclaude/model-tests/, owner-only), printed as a table, and read
// back by `trace compare`.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensurePrivateDir } from "../trace/store.ts";
import type { ProbeOutcome, Repairs } from "./run-probes.ts";
import type { TaskOutcome } from "./run-tasks.ts";
import type { Speed } from "./speed.ts";
import type { Verdict } from "./verdict.ts";

export const RESULT_KIND = "anyclaude-model-test";

export interface ModelTestResult {
  kind: typeof RESULT_KIND;
  version: 1;
  mode: string;
  model: string;
  contextWindow: number | null;
  startedAt: string;
  probes: ProbeOutcome[];
  repairs: Repairs;
  speed: Speed;
  tasks: TaskOutcome[] | null;
  verdict: Verdict;
  advice: string[];
}

export const score = (r: Pick<ModelTestResult, "probes" | "tasks">) => {
  const all = [...r.probes, ...(r.tasks ?? [])];
  return { passed: all.filter((x) => x.pass).length, total: all.length };
};

export function isModelTestResult(x: unknown): x is ModelTestResult {
  const r = x as Partial<ModelTestResult> | null;
  return !!r && r.kind === RESULT_KIND && r.version === 1 && Array.isArray(r.probes) && typeof r.speed === "object";
}

/** Writes the result as a 0600 file in a 0700 folder; returns its path. */
export function saveResult(dir: string, result: ModelTestResult): string {
  ensurePrivateDir(dir);
  const stamp = result.startedAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const file = join(dir, `${stamp}-${result.mode}-${result.model.replace(/[^\w.-]+/g, "_")}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`, { mode: 0o600 });
  return file;
}

/** Every model-test result in a folder; other JSON files are not ours and are skipped. */
export function readResults(dir: string): ModelTestResult[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // not a folder of ours: the caller says what is wrong with it
  }
  return names
    .filter((n) => n.endsWith(".json"))
    .flatMap((n) => {
      try {
        const r = JSON.parse(readFileSync(join(dir, n), "utf8")) as unknown;
        return isModelTestResult(r) ? [r] : [];
      } catch {
        return [];
      }
    });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const num = (x: number | null, unit: string) => (x === null ? "n/a" : `${x} ${unit}`);

/** The scorecard as plain lines: one per probe and task, then speed, verdict and advice. */
export function renderScorecard(r: ModelTestResult): string {
  const width = Math.max(...r.probes.map((p) => p.title.length), ...(r.tasks ?? []).map((t) => t.title.length));
  const row = (ok: boolean, title: string, ms: number, reason: string) => `${ok ? "✓" : "✗"} ${title.padEnd(width)}  ${ms ? seconds(ms).padStart(7) : "       "}  ${reason}`;
  const lines = [`${r.mode}/${r.model}${r.contextWindow ? ` (${r.contextWindow}-token window)` : ""}`, ""];
  for (const p of r.probes) {
    lines.push(row(p.pass, p.title, p.ms, p.reason));
    if (!p.pass && p.sent !== "-") lines.push(`  ${" ".repeat(width)}           sent: ${p.sent}`);
  }
  if (r.tasks) {
    lines.push("", "Tasks (real Claude Code):");
    for (const t of r.tasks) lines.push(row(t.pass, t.title, t.ms, `${t.reason}${t.turns !== null ? ` (${t.turns} turns, ${t.inputTokens ?? "?"} in / ${t.outputTokens ?? "?"} out tokens)` : ""}`));
  }
  const s = r.speed;
  lines.push(
    "",
    "Speed:",
    `  cold prefill      ${num(s.prefillTokensPerSecond, "tokens/s")}${s.promptTokens ? ` (${s.promptTokens} tokens, first token after ${seconds(s.coldTtftMs ?? 0)})` : ""}`,
    `  follow-up TTFT    ${s.followUpTtftMs === null ? "n/a" : seconds(s.followUpTtftMs)}${s.followUpCachedTokens ? ` (${s.followUpCachedTokens} tokens from the server's cache)` : ""}`,
    `  decode            ${num(s.decodeTokensPerSecond, "tokens/s")}`,
  );
  if (s.mlxReusedTokens !== null) lines.push(`  MLX cache reuse   ${s.mlxReusedTokens} tokens reused for the follow-up`);
  const { passed, total } = score(r);
  lines.push("", `Verdict: ${r.verdict} (${passed}/${total} passed)`);
  for (const a of r.advice) lines.push(`  → ${a}`);
  return lines.join("\n");
}
