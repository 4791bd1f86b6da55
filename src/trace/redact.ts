// Secrets never reach a trace file: auth headers, cookies, URL credentials, and anything that looks like a key.
import { redactUrls } from "../config/redact-url.ts";

const SECRET_HEADERS = new Set(["x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie", "x-goog-api-key", "api-key"]);
const KEY_PATTERNS = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI, Anthropic (sk-ant-…), OpenRouter (sk-or-…)
  /\banyclaude-[A-Za-z0-9_-]{20,}/g, // the per-launch key
  /\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g,
  /\b(?:ghp|gho|github_pat|xox[abp]|AKIA)[A-Za-z0-9_-]{12,}/g,
];
const SECRET_KEYS = /^(api[_-]?key|apikey|access[_-]?token|auth[_-]?token|secret|password|x-api-key|authorization)$/i;

export const REDACTED = "[redacted]";

export function redactHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  return Object.fromEntries(entries.map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? REDACTED : redactText(v)]));
}

export function redactText(text: string): string {
  let out = redactUrls(text);
  for (const re of KEY_PATTERNS) out = out.replace(re, REDACTED);
  return out;
}

/** A copy of an error (and its causes) whose message and stack carry no URL credentials or keys. */
export function redactError(error: Error): Error {
  const copy = new Error(redactText(error.message));
  copy.name = error.name;
  copy.stack = error.stack === undefined ? undefined : redactText(error.stack);
  if (error.cause !== undefined) copy.cause = error.cause instanceof Error ? redactError(error.cause) : redactValue(error.cause);
  return copy;
}

/** Deep copy with secret-named fields and key-like strings replaced. */
export function redactValue<T>(value: T): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (key && SECRET_KEYS.test(key) && v != null) return REDACTED;
    if (typeof v === "string") return redactText(v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}
