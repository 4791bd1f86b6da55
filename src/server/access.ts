// Who may use the proxy. Claude Code never sends Origin and always sends JSON; a web page always
// sends Origin (and Sec-Fetch-Site), and can POST text/plain without a CORS preflight. So: the
// per-launch key, a loopback Host (DNS rebinding from a web page would otherwise reach 127.0.0.1
// with a foreign Host header), no browser origin unless the user allowed it, and JSON bodies only.
import { timingSafeEqual } from "node:crypto";
import { AnthropicError } from "../translate/errors.ts";
import { anthropicError } from "./errors.ts";

export interface AccessPolicy {
  requiredApiKey?: string;
  loopbackHostOnly?: boolean;
  /** Web origins (e.g. "http://localhost:3000") allowed to call the proxy from a browser. */
  allowedOrigins?: readonly string[];
}

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

export function hostIsLoopback(host: string | null): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d+$/, "");
  return LOOPBACK_HOSTS.has(name.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The browser origin a request came from and whether the user allowed it; null when no browser is involved. */
export function browserOrigin(headers: Headers, policy: AccessPolicy): { origin: string; allowed: boolean } | null {
  const origin = headers.get("origin");
  const site = headers.get("sec-fetch-site")?.toLowerCase();
  if (origin === null && site !== "cross-site" && site !== "same-site") return null;
  const name = origin ?? `a ${site} page`;
  return { origin: name, allowed: origin !== null && (policy.allowedOrigins ?? []).includes(origin) };
}

const isJson = (contentType: string | null) => /^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(contentType ?? "");

export function checkAccess(method: string, headers: Headers, policy: AccessPolicy): AnthropicError | null {
  if (policy.loopbackHostOnly && !hostIsLoopback(headers.get("host")))
    return anthropicError("permission_error", "requests must be addressed to a loopback host");
  const browser = browserOrigin(headers, policy);
  if (browser && !browser.allowed)
    return anthropicError(
      "permission_error",
      `requests from web pages are refused (origin ${browser.origin}); to allow one, pass --allow-origin <origin> or set allowedOrigins in .anyclauderc.json`,
    );
  // A CORS preflight carries no key; the allowed origin is enough to answer it.
  if (method === "OPTIONS" && browser) return null;
  if (policy.requiredApiKey) {
    const bearer = headers.get("authorization")?.replace(/^Bearer\s+/i, "");
    const key = headers.get("x-api-key") ?? bearer ?? "";
    if (!sameSecret(key, policy.requiredApiKey)) return anthropicError("authentication_error", "invalid x-api-key");
  }
  if (method === "POST" && !isJson(headers.get("content-type")))
    return new AnthropicError(415, "invalid_request_error", `content-type must be application/json, found ${headers.get("content-type") ?? "none"}`);
  return null;
}

/** CORS headers for an allowed origin (responses and preflights). */
export function corsHeaders(origin: string): Record<string, string> {
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": "GET, POST, OPTIONS",
    "access-control-allow-headers": "content-type, x-api-key, authorization, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access",
    "access-control-expose-headers": "request-id",
    vary: "Origin",
  };
}
