// Who may use the proxy: the per-launch key and a loopback Host (DNS rebinding from a web page
// would otherwise reach 127.0.0.1 with a foreign Host header).
import { timingSafeEqual } from "node:crypto";
import type { AnthropicError } from "../translate/errors.ts";
import { anthropicError } from "./errors.ts";

export interface AccessPolicy {
  requiredApiKey?: string;
  loopbackHostOnly?: boolean;
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

export function checkAccess(headers: Headers, policy: AccessPolicy): AnthropicError | null {
  if (policy.loopbackHostOnly && !hostIsLoopback(headers.get("host")))
    return anthropicError("permission_error", "requests must be addressed to a loopback host");
  if (policy.requiredApiKey) {
    const bearer = headers.get("authorization")?.replace(/^Bearer\s+/i, "");
    const key = headers.get("x-api-key") ?? bearer ?? "";
    if (!sameSecret(key, policy.requiredApiKey)) return anthropicError("authentication_error", "invalid x-api-key");
  }
  return null;
}
