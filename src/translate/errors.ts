// Upstream failures → Anthropic errors (protocol.md §3, §6.9). Pure: callers hand in the status
// and body text they saw. Every AnthropicError is built here, from the type → status table.
import type { ErrorBody, ErrorType } from "../protocol/anthropic.ts";
import { redactText } from "../trace/redact.ts";
import { type Overflow, readOverflow } from "./overflow.ts";

/** An error that already knows how Claude Code must see it. */
export class AnthropicError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    // Messages name upstream URLs ("unreachable at …") and quote upstream bodies (some echo the
    // key: "Invalid API key: sk-or-…"); the client, the logs and the traces all read them.
    super(redactText(message));
  }
  get body(): ErrorBody {
    return { type: this.type, message: this.message };
  }
}

/**
 * The upstream said the prompt does not fit. What it told us of the numbers travels with the
 * error, so the backend can complete them (our own count, the known window) before answering.
 */
export class PromptTooLongError extends AnthropicError {
  constructor(
    readonly overflow: Overflow,
    readonly upstreamMessage: string,
  ) {
    super(400, "invalid_request_error", promptTooLongMessage(overflow, upstreamMessage));
  }
}

export const STATUS_OF_TYPE: Record<ErrorType, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** The one constructor: the status always follows the type. */
export function anthropicError(type: ErrorType, message: string, headers: Record<string, string> = {}): AnthropicError {
  return new AnthropicError(STATUS_OF_TYPE[type] ?? 500, type, message, headers);
}

/** A stream (or the wait for headers) that went silent past the idle limit. */
export const idleError = (backend: string, idleMs: number) =>
  anthropicError("overloaded_error", `${backend}: upstream sent nothing for ${Math.round(idleMs / 1000)} s`);

/**
 * "prompt is too long: N tokens > M maximum" is the wording that makes Claude Code compact. A prompt
 * that fits, with max_tokens that does not, gets Anthropic's wording for that, on which Claude Code
 * asks again with a smaller max_tokens.
 */
export function promptTooLongMessage(o: Overflow, upstreamMessage: string): string {
  const input = o.prompt ?? o.promptAtLeast;
  if (input != null && o.completion != null && o.max != null && input < o.max && input + o.completion > o.max)
    return `input length and \`max_tokens\` exceed context limit: ${input} + ${o.completion} > ${o.max}, decrease input length or \`max_tokens\` and try again`;
  const tokens = o.tokens ?? (o.max != null && o.excess != null ? o.max + o.excess : undefined);
  if (tokens != null && o.max != null) return `prompt is too long: ${tokens} tokens > ${o.max} maximum`;
  // Numbers we do not have are never made up: say what the server said.
  if (tokens != null) return `prompt is too long: ${tokens} tokens (${upstreamMessage})`;
  return `prompt is too long (${upstreamMessage})`;
}

/**
 * Fills what the server left out from what we know: the configured window, and our own token
 * count. The server has said the prompt does not fit, so when our tokenizer counts fewer tokens
 * than the window (or cannot count), the smallest count consistent with the refusal (window + 1)
 * is reported. A refusal of prompt + max_tokens is completed the same way, from max - max_tokens + 1.
 */
export function completeOverflow(e: PromptTooLongError, known: { promptTokens?: number; window?: number }): PromptTooLongError {
  const max = e.overflow.max ?? known.window;
  const { completion, prompt, promptAtLeast } = e.overflow;
  if (max != null && completion != null && prompt == null && e.overflow.tokens == null) {
    // The server refused prompt + max_tokens without counting the prompt: it has more than
    // max - completion tokens, and at least what it or we counted.
    const least = Math.max(promptAtLeast ?? 0, known.promptTokens ?? 0, max - completion + 1);
    return new PromptTooLongError({ ...e.overflow, promptAtLeast: least, ...(least >= max ? { tokens: least } : {}) }, e.upstreamMessage);
  }
  const counted = max != null ? Math.max(known.promptTokens ?? 0, max + 1) : known.promptTokens;
  const tokens = e.overflow.tokens ?? (max != null && e.overflow.excess != null ? max + e.overflow.excess : counted);
  const done = { ...e.overflow, ...(max != null ? { max } : {}), ...(tokens != null ? { tokens } : {}) };
  return new PromptTooLongError(done, e.upstreamMessage);
}

function typeForStatus(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 402) return "billing_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  // 522/524: Cloudflare's "connection timed out" / "a timeout occurred" in front of the server.
  if (status === 408 || status === 504 || status === 522 || status === 524) return "timeout_error";
  if (status === 413) return "request_too_large";
  if (status === 429) return "rate_limit_error";
  if (status === 502 || status === 503 || status === 529) return "overloaded_error";
  if (status >= 400 && status < 500) return "invalid_request_error";
  return "api_error";
}

/** Pulls a readable message (and numbers) out of any of the error shapes of §5.10. */
export function upstreamErrorMessage(bodyText: string): { message: string; fields: Record<string, unknown> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch {
    return { message: htmlErrorText(bodyText) ?? (bodyText.trim().slice(0, 1000) || "(empty response body)"), fields: {} };
  }
  const obj = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (typeof parsed === "string") return { message: parsed, fields: {} };
  const err = obj.error;
  if (typeof err === "string") return { message: err, fields: obj };
  if (typeof err === "object" && err !== null) {
    const e = err as Record<string, unknown>;
    const meta = (e.metadata ?? {}) as Record<string, unknown>;
    const raw = typeof meta.raw === "string" ? ` (${meta.raw.slice(0, 300)})` : "";
    return { message: `${String(e.message ?? JSON.stringify(e))}${raw}`, fields: { ...e, ...meta } };
  }
  if (typeof obj.message === "string") return { message: obj.message, fields: obj };
  if (typeof obj.detail === "string") return { message: obj.detail, fields: obj };
  return { message: bodyText.slice(0, 1000), fields: obj };
}

/** A reverse proxy's HTML error page (nginx, Caddy, Cloudflare): its title, else its first heading, else its text. Null when not HTML. */
export function htmlErrorText(bodyText: string): string | null {
  if (!/^\s*<(?:!doctype html|html|head|body)\b/i.test(bodyText)) return null;
  const pick = /<title[^>]*>([^<]*)<\/title>/i.exec(bodyText)?.[1] ?? /<h1[^>]*>([^<]*)<\/h1>/i.exec(bodyText)?.[1] ?? bodyText.replace(/<[^>]*>/g, " ");
  const text = pick.replace(/\s+/g, " ").trim().slice(0, 300);
  return text || null;
}

/** Statuses under which servers report a prompt that does not fit (llama.cpp's batch error is a 500; mlx_lm.server answers 404 to any generation failure). */
const OVERFLOW_STATUSES = new Set([0, 400, 404, 413, 422, 500]);

export function mapUpstreamError(
  status: number,
  bodyText: string,
  backend: string,
  headers: Record<string, string> = {},
): AnthropicError {
  const { message, fields } = upstreamErrorMessage(bodyText);
  const keep: Record<string, string> = {};
  for (const h of ["retry-after", "retry-after-ms"]) if (headers[h]) keep[h] = headers[h];
  const overflow = OVERFLOW_STATUSES.has(status) ? readOverflow(message, fields) : null;
  if (overflow) return new PromptTooLongError(overflow, `${backend}: ${message}`);
  return anthropicError(typeForStatus(status), `${backend}: ${message}`, keep);
}

/** Mid-stream errors (`{"error":…}` chunks, `event: error`, llama.cpp's `error:` lines) carry a code instead of an HTTP status. */
export function mapStreamError(error: unknown, backend: string): AnthropicError {
  const body = JSON.stringify({ error });
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const meta = (e.metadata ?? {}) as Record<string, unknown>;
  const code = Number(e.code);
  let status = Number.isFinite(code) && code >= 400 ? code : 500;
  if (/overload|rate/i.test(String(meta.error_type ?? e.type ?? ""))) status = 503;
  return mapUpstreamError(status, body, backend);
}

/**
 * The prompt fits but prompt + max_tokens does not, and the server counted the prompt (vLLM before
 * 0.16, and its max_tokens check): the room left for the answer, to ask again once with it. Null
 * when this is not that error, or when the server gave only a lower bound for the prompt.
 */
export function roomForAnswer(status: number, bodyText: string): number | null {
  if (status !== 400) return null;
  const { message } = upstreamErrorMessage(bodyText);
  const o = readOverflow(message, {});
  if (!o || o.max == null || o.prompt == null || o.prompt >= o.max) return null;
  const room = o.max - o.prompt - 1; // one token of slack
  return room > 0 && (o.completion == null || o.completion > room) ? room : null;
}
