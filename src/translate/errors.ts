// Upstream failures → Anthropic errors (protocol.md §3, §6.9). Pure: callers hand in the status
// and body text they saw.
import type { ErrorBody, ErrorType } from "../protocol/anthropic.ts";

/** An error that already knows how Claude Code must see it. */
export class AnthropicError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
  get body(): ErrorBody {
    return { type: this.type, message: this.message };
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

function typeForStatus(status: number): ErrorType {
  if (status === 401) return "authentication_error";
  if (status === 402) return "billing_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 408 || status === 504) return "timeout_error";
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
    return { message: bodyText.trim().slice(0, 1000) || "(empty response body)", fields: {} };
  }
  const obj = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
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

/** "prompt is too long: N tokens > M maximum" is the wording that makes Claude Code compact. */
export function contextOverflow(message: string, fields: Record<string, unknown>): { tokens: number; max: number } | null {
  if (typeof fields.n_prompt_tokens === "number" && typeof fields.n_ctx === "number")
    return { tokens: fields.n_prompt_tokens, max: fields.n_ctx };
  const patterns: [RegExp, (m: RegExpExecArray) => { tokens: number; max: number }][] = [
    [/maximum context length is (\d+) tokens.*?(?:requested|resulted in) (\d+) tokens/is, (m) => ({ max: +m[1]!, tokens: +m[2]! })],
    [/request \((\d+) tokens\) exceeds the available context size \((\d+) tokens\)/i, (m) => ({ tokens: +m[1]!, max: +m[2]! })],
    [/prompt is too long: (\d+) tokens > (\d+)/i, (m) => ({ tokens: +m[1]!, max: +m[2]! })],
    [/(\d+) tokens?.{0,40}exceeds?.{0,40}(?:context|window|limit).{0,20}?(\d+)/is, (m) => ({ tokens: +m[1]!, max: +m[2]! })],
    [/context (?:length|window|size) (?:of |is )?(\d+).{0,60}?(\d+) tokens/is, (m) => ({ max: +m[1]!, tokens: +m[2]! })],
  ];
  for (const [re, f] of patterns) {
    const m = re.exec(message);
    if (m) return f(m);
  }
  if (fields.code === "context_length_exceeded" || /context[_ ]length[_ ]exceeded|too many tokens/i.test(message))
    return { tokens: 0, max: 0 };
  return null;
}

export function mapUpstreamError(
  status: number,
  bodyText: string,
  backend: string,
  headers: Record<string, string> = {},
): AnthropicError {
  const { message, fields } = upstreamErrorMessage(bodyText);
  const keep: Record<string, string> = {};
  for (const h of ["retry-after", "retry-after-ms"]) if (headers[h]) keep[h] = headers[h];
  const overflow = contextOverflow(message, fields);
  if (overflow && (status === 400 || status === 413 || status === 422 || status === 500 || status === 0)) {
    const text = overflow.max
      ? `prompt is too long: ${overflow.tokens} tokens > ${overflow.max} maximum`
      : `prompt is too long: ${message}`;
    return new AnthropicError(400, "invalid_request_error", text);
  }
  const type = typeForStatus(status);
  return new AnthropicError(STATUS_OF_TYPE[type], type, `${backend}: ${message}`, keep);
}

/** Mid-stream `{"error":…}` chunks carry a code instead of an HTTP status. */
export function mapStreamError(error: unknown, backend: string): AnthropicError {
  const body = JSON.stringify({ error });
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const meta = (e.metadata ?? {}) as Record<string, unknown>;
  const code = Number(e.code);
  let status = Number.isFinite(code) && code >= 400 ? code : 500;
  if (/overload|rate/i.test(String(meta.error_type ?? e.type ?? ""))) status = 503;
  return mapUpstreamError(status, body, backend);
}
