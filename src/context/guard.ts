// The context stage of a request: count (lazily, only when the prompt may be near the window),
// fit or refuse, clamp max_tokens, and say what happened.
import type { ConsolaInstance } from "consola";
import type { MessagesRequest } from "../protocol/anthropic.ts";
import { AnthropicError } from "../translate/errors.ts";
import { fitToWindow } from "./fit.ts";
import { countRequest } from "./request-tokens.ts";
import type { TextCounter } from "./text-counter.ts";

export interface ContextPolicy {
  window: number;
  /** Drop the oldest turns instead of refusing (config context.truncate). */
  truncate: boolean;
}

export interface ContextDecision {
  request: MessagesRequest;
  /** What happened, for the log and the trace (truncation, 75%/90% warnings). */
  warnings: string[];
}

export async function applyContextPolicy(req: MessagesRequest, bodyChars: number, policy: ContextPolicy, counter: TextCounter, logger: ConsolaInstance): Promise<ContextDecision> {
  const { window } = policy;
  // Two characters per token is a pessimistic bound: far below the window, skip the tokenizer.
  if (bodyChars / 2 < 0.7 * window) {
    const estimate = Math.ceil(bodyChars / 4);
    return { request: req.max_tokens > window - estimate ? { ...req, max_tokens: Math.max(1, window - estimate) } : req, warnings: [] };
  }
  logger.debug(`context: counting the tokens of ${bodyChars} characters with ${counter.name}`);
  const fit = fitToWindow(req, window, await countRequest(req, counter), policy.truncate);
  if (!fit.ok) {
    logger.warn(`context: prompt of ${fit.promptTokens} tokens does not fit the ${window}-token window${policy.truncate ? " even after dropping old turns" : ""}`);
    throw new AnthropicError(400, "invalid_request_error", `prompt is too long: ${fit.promptTokens} tokens > ${window} maximum`);
  }
  const warnings: string[] = [];
  if (fit.dropped) warnings.push(`context: dropped the ${fit.dropped} oldest messages to fit the ${window}-token window (${fit.promptTokens} tokens now)`);
  if (fit.warnAt) warnings.push(`context: the prompt uses over ${fit.warnAt}% of the ${window}-token window (${fit.promptTokens} tokens)`);
  for (const w of warnings) logger.warn(w);
  return { request: fit.request, warnings };
}
