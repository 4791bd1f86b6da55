// Is the window a server runs the model with large enough for Claude Code, and if not, what to
// change on that server. Pure: doctor and launch print the same words.
import type { Mode } from "../config/schema.ts";
import type { ContextWindow } from "./context-probes.ts";
import { SERVERS, windowAdvice } from "./servers.ts";

/** Below this, Claude Code's own prompt (system + tools, ~15k tokens) leaves no room to work. */
export const MIN_USEFUL_WINDOW = 20_000;

const CLAUDE_CODE_NEEDS = "Claude Code's system prompt and tools alone take about 15k tokens";

/** "4096 tokens (the model allows 262144)", for doctor's context window line. */
export function describeWindow(window: ContextWindow): string {
  const max = window.maximum ? `the model allows ${window.maximum}` : "";
  if (window.basis === "assumed") return `${window.tokens} tokens assumed (the server's default until the model is loaded${max ? `; ${max}` : ""})`;
  const from = window.basis === "parameter" ? "its num_ctx" : "";
  const notes = [from, max].filter(Boolean).join("; ");
  return `${window.tokens} tokens${notes ? ` (${notes})` : ""}`;
}

/** One sentence saying what is wrong and how to fix it, or undefined when the window is fine. */
export function windowProblem(mode: Mode, model: string, window: ContextWindow): string | undefined {
  const advice = windowAdvice(mode);
  const max = window.maximum ? ` (the model allows ${window.maximum})` : "";
  if (window.basis === "assumed" && window.tokens < MIN_USEFUL_WINDOW) {
    return `${SERVERS[mode].label} is not running ${model} yet and it sets no num_ctx, so it will get the server's default context, ${window.tokens} tokens unless the server was started with more${max}; ${CLAUDE_CODE_NEEDS}. ${advice}`;
  }
  if (window.tokens >= MIN_USEFUL_WINDOW) return undefined;
  return `${mode} serves ${model} with a ${window.tokens}-token context window${max}; ${CLAUDE_CODE_NEEDS}. ${advice}`;
}
