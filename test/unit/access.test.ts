// Who may use the proxy: loopback Host (127.x included), the key, no browser origin unless
// allowed, JSON bodies only on POST.
import { describe, expect, test } from "bun:test";
import { keyHint, servingKey } from "../../src/cli/serve.ts";
import type { Config } from "../../src/config/load.ts";
import { type AccessPolicy, checkAccess, hostIsLoopback } from "../../src/server/access.ts";

const JSON_CT = { "content-type": "application/json" };
type Case = [name: string, method: string, headers: Record<string, string>, policy: AccessPolicy, want: [number, string] | null];

const cases: Case[] = [
  ["Claude Code: JSON, no Origin", "POST", { host: "127.0.0.1:9", ...JSON_CT }, { loopbackHostOnly: true }, null],
  ["JSON with charset", "POST", { host: "localhost:9", "content-type": "application/json; charset=utf-8" }, { loopbackHostOnly: true }, null],
  ["Host 127.0.0.2 (any 127.x is loopback)", "POST", { host: "127.0.0.2:9", ...JSON_CT }, { loopbackHostOnly: true }, null],
  ["Host 127.255.0.1 without port", "GET", { host: "127.255.0.1" }, { loopbackHostOnly: true }, null],
  ["Host 128.0.0.1", "GET", { host: "128.0.0.1:9" }, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["rebinding Host", "GET", { host: "evil.example:9" }, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["Host 127.0.0.1.evil.example", "GET", { host: "127.0.0.1.evil.example" }, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["text/plain POST", "POST", { host: "127.0.0.1", "content-type": "text/plain" }, {}, [415, "invalid_request_error"]],
  ["form POST", "POST", { host: "127.0.0.1", "content-type": "application/x-www-form-urlencoded" }, {}, [415, "invalid_request_error"]],
  ["POST without content-type", "POST", { host: "127.0.0.1" }, {}, [415, "invalid_request_error"]],
  ["GET without content-type", "GET", { host: "127.0.0.1" }, {}, null],
  ["a page's JSON POST (Origin)", "POST", { origin: "http://127.0.0.1:5555", ...JSON_CT }, {}, [403, "permission_error"]],
  ["a page's text/plain POST (Origin)", "POST", { origin: "https://evil.example", "content-type": "text/plain" }, {}, [403, "permission_error"]],
  ["Origin: null (sandboxed page)", "POST", { origin: "null", ...JSON_CT }, {}, [403, "permission_error"]],
  ["Sec-Fetch-Site cross-site without Origin", "GET", { "sec-fetch-site": "cross-site" }, {}, [403, "permission_error"]],
  ["Sec-Fetch-Site same-site", "GET", { "sec-fetch-site": "same-site" }, {}, [403, "permission_error"]],
  ["Sec-Fetch-Site none (typed in the address bar)", "GET", { "sec-fetch-site": "none" }, {}, null],
  ["allowed origin", "POST", { origin: "http://localhost:3000", ...JSON_CT }, { allowedOrigins: ["http://localhost:3000"] }, null],
  ["allowed origin still sends JSON only", "POST", { origin: "http://localhost:3000", "content-type": "text/plain" }, { allowedOrigins: ["http://localhost:3000"] }, [415, "invalid_request_error"]],
  ["allowed origin's preflight needs no key", "OPTIONS", { origin: "http://localhost:3000" }, { allowedOrigins: ["http://localhost:3000"], requiredApiKey: "k".repeat(20) }, null],
  ["another origin's preflight", "OPTIONS", { origin: "http://localhost:3001" }, { allowedOrigins: ["http://localhost:3000"] }, [403, "permission_error"]],
  ["key required, none sent", "POST", JSON_CT, { requiredApiKey: "k".repeat(20) }, [401, "authentication_error"]],
  // Held-out attack on issue 9 (3).
  ["application/json-seq is not JSON", "POST", { host: "127.0.0.1", "content-type": "application/json-seq" }, {}, [415, "invalid_request_error"]],
  ["text/json", "POST", { host: "127.0.0.1", "content-type": "text/json" }, {}, [415, "invalid_request_error"]],
  ["multipart form", "POST", { host: "127.0.0.1", "content-type": "multipart/form-data; boundary=x" }, {}, [415, "invalid_request_error"]],
  ["text/plain claiming json in a parameter", "POST", { host: "127.0.0.1", "content-type": "text/plain; x=application/json" }, {}, [415, "invalid_request_error"]],
  ["Sec-Fetch-Site same-origin with an Origin (rebound page)", "POST", { host: "127.0.0.1", origin: "http://127.0.0.1:9", "sec-fetch-site": "same-origin", ...JSON_CT }, {}, [403, "permission_error"]],
  ["Origin: null preflight", "OPTIONS", { host: "127.0.0.1", origin: "null" }, { allowedOrigins: ["http://localhost:3000"] }, [403, "permission_error"]],
  ["allowed origin with a trailing slash is another origin", "POST", { origin: "http://localhost:3000/", ...JSON_CT }, { allowedOrigins: ["http://localhost:3000"] }, [403, "permission_error"]],
  ["Host localhost. (trailing dot)", "GET", { host: "localhost.:9" }, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["Host localhost.evil.example", "GET", { host: "localhost.evil.example:9" }, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["Host [::ffff:7f00:1]", "GET", { host: "[::ffff:7f00:1]:9" }, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["no Host at all", "GET", {}, { loopbackHostOnly: true }, [403, "permission_error"]],
  ["a wrong x-api-key beside a right Bearer", "POST", { "x-api-key": "wrong", authorization: `Bearer ${"k".repeat(20)}`, ...JSON_CT }, { requiredApiKey: "k".repeat(20) }, [401, "authentication_error"]],
  ["key as Bearer", "POST", { authorization: `Bearer ${"k".repeat(20)}`, ...JSON_CT }, { requiredApiKey: "k".repeat(20) }, null],
];

describe("checkAccess", () => {
  for (const [name, method, headers, policy, want] of cases) {
    test(name, () => {
      const e = checkAccess(method, new Headers(headers), policy);
      expect(e ? [e.status, e.type as string] : null).toEqual(want);
    });
  }
});

test("hostIsLoopback", () => {
  expect(["127.0.0.1", "127.1.2.3:80", "localhost:1", "[::1]:8080", "LOCALHOST"].map(hostIsLoopback)).toEqual([true, true, true, true, true]);
  expect(["127.0.0", "0.0.0.0", "10.0.0.1", "[::2]:1", "", null].map((h) => hostIsLoopback(h))).toEqual([false, false, false, false, false, false]);
});

describe("serving beyond loopback needs a key", () => {
  const config = (host: string, proxyApiKey?: string) => ({ host, ...(proxyApiKey ? { proxyApiKey } : {}) }) as Config;
  test("loopback without a configured key: none", () => expect(servingKey(config("127.0.0.1"))).toBeUndefined());
  test("0.0.0.0 without a configured key: a fresh one, printed", () => {
    const key = servingKey(config("0.0.0.0"))!;
    expect(key).toMatch(/^anyclaude-[\w-]{32}$/);
    expect(servingKey(config("0.0.0.0"))).not.toBe(key);
    expect(keyHint(config("0.0.0.0"), key)).toBe(` ANTHROPIC_API_KEY=${key}`);
  });
  test("a configured key is used, and not printed", () => {
    const c = config("192.168.1.5", "configured-key-0123456789");
    expect(servingKey(c)).toBe("configured-key-0123456789");
    expect(keyHint(c, servingKey(c))).not.toContain("configured-key");
  });
});
