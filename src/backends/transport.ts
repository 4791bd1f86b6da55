// HTTP to an OpenAI-compatible upstream: one POST with retries before the first byte
// (connection errors, 429, 503), Retry-After in seconds or as an HTTP date, and a bound on the
// wait for response headers (an error's body under the idle limit). Knows nothing of chunks or events.
import type { ConsolaInstance } from "consola";
import type { BodyLease } from "../runtime/body-lease.ts";
import { HeaderTimeoutError, httpPost, type PostResponse } from "../runtime/http-post.ts";
import { type AnthropicError, anthropicError, mapUpstreamError, roomForAnswer } from "../translate/errors.ts";
import { bodyText } from "./body-text.ts";

export interface TransportOptions {
  backend: string;
  url: string;
  headers: Record<string, string>;
  logger: ConsolaInstance;
  /** Bounds the wait for response headers; the body reader has its own idle limit. */
  idleMs: number;
  retries: number;
  retryBaseMs: number;
  /** For Retry-After dates; injectable for tests. */
  now?: () => number;
}

export type Attempt =
  | { ok: true; response: PostResponse }
  /** `roomForAnswer`: the prompt fits but max_tokens does not; this many tokens would. */
  | { ok: false; error: AnthropicError; roomForAnswer?: number };

/** Longest Retry-After we wait out ourselves; beyond it the client decides. */
const MAX_RETRY_AFTER_MS = 10_000;

/** `lease`: the body's buffer, held by each attempt until it reads the bytes no more. */
export async function post(body: string | Uint8Array, signal: AbortSignal, opts: TransportOptions, lease?: BodyLease): Promise<Attempt> {
  for (let attempt = 0; ; attempt++) {
    let error: AnthropicError;
    let retryAfterMs = 0;
    try {
      const init = { headers: opts.headers, body, signal, headerTimeoutMs: opts.idleMs };
      const response = await httpPost(`${opts.url}/chat/completions`, lease ? { ...init, bodyDone: lease.hold() } : init);
      if (response.ok) return { ok: true, response };
      const headers = retryHeaders(response);
      const text = await bodyText(response, opts.idleMs).catch(() => "");
      error = mapUpstreamError(response.status, text, opts.backend, headers);
      const room = roomForAnswer(response.status, text);
      if (room != null) return { ok: false, error, roomForAnswer: room };
      if (response.status !== 429 && response.status !== 503) return { ok: false, error };
      // OpenAI-style servers may also say it in milliseconds.
      retryAfterMs = retryAfterToMs(headers["retry-after"], (opts.now ?? Date.now)()) ?? (Number(headers["retry-after-ms"]) || 0);
    } catch (e) {
      if (signal.aborted) return { ok: false, error: anthropicError("api_error", "client disconnected") };
      if (e instanceof HeaderTimeoutError) return { ok: false, error: anthropicError("timeout_error", `${opts.backend} sent no response within ${Math.round(opts.idleMs / 1000)} s`) };
      error = anthropicError("api_error", `${opts.backend} unreachable at ${opts.url}: ${describeError(e)}`);
    }
    if (attempt >= opts.retries || retryAfterMs > MAX_RETRY_AFTER_MS) return { ok: false, error };
    const delay = Math.max(retryAfterMs, opts.retryBaseMs * 2 ** attempt);
    opts.logger.debug(`retrying upstream in ${delay} ms: ${error.message}`);
    await sleep(delay, signal);
    if (signal.aborted) return { ok: false, error };
  }
}

/** The headers an error keeps (mapUpstreamError) and a retry reads. */
/** The headers that say when to try again: all an error keeps of its response's headers. */
export function retryHeaders(response: PostResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ["retry-after", "retry-after-ms"]) {
    const value = response.headers.get(name);
    if (value !== null) out[name] = value;
  }
  return out;
}

/** Retry-After is delay-seconds or an HTTP date (RFC 9110 §10.2.3). Null when absent or unreadable. */
export function retryAfterToMs(value: string | undefined, now: number): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    return code ? `${code} (${e.message})` : e.message;
  }
  return String(e);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });
