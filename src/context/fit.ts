// Making a request fit the backend's context window. Pure: the token count is handed in.
//
// Too long → the answer Anthropic gives (400 "prompt is too long: N tokens > M maximum"), which
// makes Claude Code compact the conversation itself; or, where the user opted in, the oldest
// turns are dropped — whole turns only, so a tool_use never loses its tool_result, and never the
// system prompt, the tools, the first user message or the current turn.
import type { MessageParam, MessagesRequest } from "../protocol/anthropic.ts";
import { fixedTokens, type RequestTokens } from "./request-tokens.ts";

/** Room the answer needs at the very least. */
export const MIN_OUTPUT_TOKENS = 1024;

export interface FitResult {
  request: MessagesRequest;
  promptTokens: number;
  /** Messages removed (truncation only). */
  dropped: number;
  /** Highest usage threshold crossed (75 or 90 percent), for the warning. */
  warnAt: 75 | 90 | null;
}

export type FitOutcome = ({ ok: true } & FitResult) | { ok: false; promptTokens: number; window: number };

/** Units that can go: an assistant turn with the user message(s) answering it (its tool results). */
function droppableUnits(messages: readonly MessageParam[]): number[][] {
  const units: number[][] = [];
  const firstUser = messages.findIndex((m) => m.role === "user");
  let current: number[] | null = null;
  for (let i = firstUser + 1; i < messages.length; i++) {
    const role = messages[i]!.role;
    if (role === "system") continue; // mid-conversation system text is never dropped
    if (role === "assistant") {
      current = [i];
      units.push(current);
    } else current?.push(i);
  }
  units.pop(); // the current turn stays
  return units;
}

/** `tokens` is the count of `req` (countRequest). */
export function fitToWindow(req: MessagesRequest, window: number, tokens: RequestTokens, truncate: boolean): FitOutcome {
  const perMessage = tokens.perMessage;
  let total = fixedTokens(tokens) + perMessage.reduce((a, b) => a + b, 0);
  const budget = window - Math.min(MIN_OUTPUT_TOKENS, Math.floor(window / 4));
  const warnAt = (n: number): FitResult["warnAt"] => (n >= 0.9 * window ? 90 : n >= 0.75 * window ? 75 : null);
  if (total <= budget) return { ok: true, request: clampMaxTokens(req, window, total), promptTokens: total, dropped: 0, warnAt: warnAt(total) };
  if (!truncate) return { ok: false, promptTokens: total, window };

  const drop = new Set<number>();
  for (const unit of droppableUnits(req.messages)) {
    if (total <= budget) break;
    for (const i of unit) {
      drop.add(i);
      total -= perMessage[i]!;
    }
  }
  if (total > budget) return { ok: false, promptTokens: total, window };
  const messages = req.messages.filter((_, i) => !drop.has(i));
  return { ok: true, request: clampMaxTokens({ ...req, messages }, window, total), promptTokens: total, dropped: drop.size, warnAt: warnAt(total) };
}

/** max_tokens never asks for more than the window leaves. */
export function clampMaxTokens(req: MessagesRequest, window: number, promptTokens: number): MessagesRequest {
  const room = Math.max(1, window - promptTokens);
  return req.max_tokens > room ? { ...req, max_tokens: room } : req;
}
