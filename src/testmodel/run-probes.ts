// Runs the probes one after another through the proxy, then the speed turns, and collects what
// the proxy noted about each answer (argument repairs) from its log.
import { randomBytes } from "node:crypto";
import type { MessageParam, MessagesRequest } from "../protocol/anthropic.ts";
import { ask, type ProxyTarget, type TimedAnswer } from "./client.ts";
import { type Answer, describeAnswer, judgeMarkup, judgeRepairs, PROBES, toolCallCount } from "./probes.ts";
import { catN } from "./prompt.ts";
import { type MlxCacheStats, type Speed, speedOf } from "./speed.ts";

export interface ProbeOutcome {
  id: string;
  title: string;
  critical: boolean;
  pass: boolean;
  reason: string;
  reasoningInAnswer?: true;
  badCall?: true;
  noAnswer?: true;
  /** What the model actually sent, in one line. */
  sent: string;
  ms: number;
}

const HUNG_AFTER_TIMEOUTS = 2;

export interface Repairs {
  toolCalls: number;
  repaired: number;
  unrepairable: number;
}

export interface ProbeRun {
  probes: ProbeOutcome[];
  repairs: Repairs;
  speed: Speed;
}

/** The proxy's log lines since the last take (the runner sends one request at a time). */
export interface ProxyNotes {
  take(): string[];
}

/**
 * Which log lines are argument repairs, in the translator's words: "repaired arguments of X",
 * "tool call X could not be repaired (…); sent as text", "dropped tool call …". The weak model in
 * test/e2e/test-model.test.ts fails if that wording changes.
 */
export function countRepairs(lines: string[]): { repaired: number; unrepairable: number } {
  const lost = (l: string) => /could not be repaired|^dropped tool call/i.test(l);
  return { repaired: lines.filter((l) => !lost(l) && /\brepaired arguments\b/i.test(l)).length, unrepairable: lines.filter(lost).length };
}

export const NOTES_SOURCE = [
  "# Release notes",
  "",
  "- The importer now reads CSV files with a header row and skips blank lines.",
  "- Exports keep the column order the user chose instead of sorting alphabetically.",
  "- The settings page remembers the last folder used for imports and exports.",
  "- Dates are written as ISO 8601 in every export format.",
  "- Fixed: a crash when a CSV cell held only a quote character.",
  "- Fixed: large exports no longer freeze the window while they are written.",
  "",
  "Next: spreadsheet (XLSX) import, and a preview of the first rows before importing.",
].join("\n");

/** The turn after the full-prompt probe: Claude Code's tool result for the model's own call. */
export function followUpRequest(first: MessagesRequest, answer: Answer): MessagesRequest | null {
  const content = answer.message?.content;
  if (!content?.length) return null;
  const uses = content.filter((b) => b.type === "tool_use");
  const reply: MessageParam = uses.length
    ? { role: "user", content: uses.map((u) => ({ type: "tool_result" as const, tool_use_id: u.id, content: catN(NOTES_SOURCE) })) }
    : { role: "user", content: `Here is notes.md:\n\n${NOTES_SOURCE}\n\nSummarise it.` };
  return { ...first, messages: [...first.messages, { role: "assistant", content } as MessageParam, reply] };
}

export async function runProbes(
  target: ProxyTarget,
  notes: ProxyNotes,
  opts: { onProbe?: (p: ProbeOutcome) => void; mlxCache?: () => Promise<MlxCacheStats | null> } = {},
): Promise<ProbeRun> {
  const nonce = randomBytes(6).toString("hex");
  const answers: { id: string; answer: TimedAnswer }[] = [];
  const probes: ProbeOutcome[] = [];
  const repairs = { repaired: 0, unrepairable: 0 };
  let cold: { request: MessagesRequest; answer: TimedAnswer } | null = null;
  const record = (p: ProbeOutcome) => {
    probes.push(p);
    opts.onProbe?.(p);
  };
  notes.take();
  // A server that lets two probes in a row time out is hung: the rest would only wait as long again.
  let timeoutsInARow = 0;
  for (const probe of PROBES) {
    if (timeoutsInARow >= HUNG_AFTER_TIMEOUTS) {
      const reason = `not run: the ${HUNG_AFTER_TIMEOUTS} probes before it got no answer within ${Math.round(target.timeoutMs / 1000)} s`;
      record({ id: probe.id, title: probe.title, critical: probe.critical, pass: false, reason, noAnswer: true, sent: "nothing", ms: 0 });
      continue;
    }
    const request = probe.request(nonce);
    const answer = await ask(target, request);
    timeoutsInARow = answer.timedOut ? timeoutsInARow + 1 : 0;
    const counted = countRepairs(notes.take());
    repairs.repaired += counted.repaired;
    repairs.unrepairable += counted.unrepairable;
    answers.push({ id: probe.id, answer });
    if (probe.id === "full-prompt") cold = { request, answer };
    record({ id: probe.id, title: probe.title, critical: probe.critical, ...probe.judge(answer), sent: describeAnswer(answer), ms: answer.ms });
  }
  const markup = judgeMarkup(answers);
  record({ id: "markup", title: "no tool-call markup in text", critical: true, ...markup, sent: "-", ms: 0 });
  const toolCalls = toolCallCount(answers.map((a) => a.answer));
  record({ id: "repairs", title: "arguments needing repair", critical: false, ...judgeRepairs(toolCalls, repairs.repaired, repairs.unrepairable), sent: `${repairs.repaired} repaired, ${repairs.unrepairable} unrepairable`, ms: 0 });

  // Speed: the full-prompt probe was the cold turn; its follow-up shows prompt-cache reuse and decode.
  const next = cold && !cold.answer.timedOut && followUpRequest(cold.request, cold.answer);
  const before = next ? await opts.mlxCache?.() : null;
  const follow = next ? await ask(target, next) : null;
  notes.take();
  const after = before ? await opts.mlxCache?.() : null;
  return { probes, repairs: { toolCalls, ...repairs }, speed: speedOf(cold?.answer ?? null, follow, before ?? null, after ?? null) };
}
