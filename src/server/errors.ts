// Anthropic error envelopes for HTTP responses (protocol.md §3).
import type { Context } from "hono";
import type { ErrorType } from "../protocol/anthropic.ts";
import { AnthropicError, anthropicError } from "../translate/errors.ts";

export { anthropicError };

/** Worth retrying later: rate limits and an overloaded (e.g. still loading) local server. */
const RETRYABLE = new Set<ErrorType>(["rate_limit_error", "overloaded_error"]);

export function errorResponse(c: Context, error: AnthropicError): Response {
  const requestId = c.get("requestId") as string | undefined;
  for (const [k, v] of Object.entries(error.headers)) c.header(k, v);
  // The proxy has already retried what retrying can fix; without this the SDK in Claude Code
  // retries a failing local model ten times over minutes before telling the user anything.
  c.header("x-should-retry", RETRYABLE.has(error.type) ? "true" : "false");
  return c.json(
    { type: "error", error: error.body, ...(requestId ? { request_id: requestId } : {}) },
    error.status as 400,
  );
}

/** Anything thrown that is not already an AnthropicError is a bug: report it without a stack trace. */
export function asAnthropicError(e: unknown): AnthropicError {
  if (e instanceof AnthropicError) return e;
  return anthropicError("api_error", `internal error: ${e instanceof Error ? e.message : String(e)}`);
}
