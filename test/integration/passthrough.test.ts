// Anthropic-format upstreams: the real API (claude mode) and a server's native /v1/messages.
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, test } from "bun:test";
import { AnthropicBackend } from "../../src/backends/anthropic.ts";
import { listen } from "../../src/runtime/serve.ts";
import { createApp } from "../../src/server/app.ts";
import { sanitizeForAnthropic } from "../../src/translate/passthrough.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { quietLogger } from "../helpers/proxy.ts";

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

async function setup(official: boolean, reply: (body: Record<string, unknown>) => Response, opts: { apiKey?: string; proxyKey?: string; context?: { window: number; truncate: boolean } } = { apiKey: official ? "sk-ant-user" : undefined }) {
  const seen: { body: string; headers: Record<string, string> }[] = [];
  const upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = await req.text();
      seen.push({ body, headers: Object.fromEntries(req.headers) });
      return reply(JSON.parse(body));
    },
  });
  const logger = quietLogger();
  const backend = new AnthropicBackend({ name: official ? "claude" : "ollama", baseUrl: `http://127.0.0.1:${upstream.port}`, official, logger, ...(opts.apiKey ? { apiKey: opts.apiKey } : {}) });
  const app = createApp({ backend, logger, routing: { model: "qwen3-coder:30b" }, ...(opts.proxyKey ? { requiredApiKey: opts.proxyKey } : {}), ...(opts.context ? { context: opts.context } : {}) });
  const proxy = await listen(app.fetch, { hostname: "127.0.0.1", port: 0 });
  stops.push(() => upstream.stop(true), () => proxy.stop());
  return { seen, url: proxy.url };
}

const message = (text: string) =>
  Response.json({ id: "msg_1", type: "message", role: "assistant", model: "m", content: [{ type: "text", text }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 5, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });

describe("passthrough", () => {
  test("claude mode forwards a clean Claude Code body byte for byte", async () => {
    const { seen, url } = await setup(true, () => message("ok"));
    const fixture = loadFixture("print-mode-bash-tool-result");
    const raw = JSON.stringify(fixture.body);
    const res = await fetch(`${url}/v1/messages?beta=true`, { method: "POST", headers: { "content-type": "application/json", "anthropic-beta": "claude-code-20250219" }, body: raw.replace('"stream":true', '"stream":false') });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: unknown }).content).toEqual([{ type: "text", text: "ok" }]);
    expect(seen[0]!.body).toBe(raw.replace('"stream":true', '"stream":false'));
    expect(seen[0]!.headers["x-api-key"]).toBe("sk-ant-user");
    expect(seen[0]!.headers["anthropic-beta"]).toBe("claude-code-20250219");
  });

  test("Anthropic errors pass through with their type and status", async () => {
    const { url } = await setup(true, () => Response.json({ type: "error", error: { type: "rate_limit_error", message: "slow down" } }, { status: 429, headers: { "retry-after": "7" } }));
    const err = await new Anthropic({ baseURL: url, apiKey: "x", maxRetries: 0 }).messages.create({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(err.status).toBe(429);
    expect(err.error.error).toEqual({ type: "rate_limit_error", message: "slow down" });
    expect(err.headers.get("retry-after")).toBe("7");
  });

  test("a native local endpoint gets the clean-up: billing line, schemas, betas, model", async () => {
    const { seen, url } = await setup(false, () => message("native"));
    const res = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-beta": "claude-code-20250219" },
      body: JSON.stringify({
        model: "claude-opus-5-5",
        max_tokens: 10,
        system: [{ type: "text", text: "x-anthropic-billing-header: cch=1;" }, { type: "text", text: "Be brief." }],
        tools: [{ name: "Read", input_schema: { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: { u: { type: "string", format: "uri" } } } }],
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(res.status).toBe(200);
    const sent = JSON.parse(seen[0]!.body);
    expect(sent.model).toBe("qwen3-coder:30b");
    expect(sent.system).toEqual([{ type: "text", text: "Be brief." }]);
    expect(sent.tools[0].input_schema).toEqual({ type: "object", properties: { u: { type: "string" } } });
    expect(seen[0]!.headers["anthropic-beta"]).toBeUndefined();
  });
});

describe("credentials and bytes", () => {
  const hello = JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
  const post = (url: string, headers: Record<string, string>, body = hello) => fetch(`${url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  test("claude mode without a key of its own forwards the Claude Code login", async () => {
    const { seen, url } = await setup(true, () => message("ok"), {});
    expect((await post(url, { authorization: "Bearer claude-code-oauth" })).status).toBe(200);
    expect(seen[0]!.headers.authorization).toBe("Bearer claude-code-oauth");
  });

  test("the per-launch proxy key is never forwarded, to the real API or a local server", async () => {
    for (const official of [true, false]) {
      const { seen, url } = await setup(official, () => message("ok"), { proxyKey: "anyclaude-launch-key" });
      expect((await post(url, { authorization: "Bearer anyclaude-launch-key" })).status).toBe(200);
      expect(seen[0]!.headers.authorization).toBeUndefined();
      expect(seen[0]!.headers["x-api-key"]).toBeUndefined();
    }
  });

  test("a local server never gets the client's credential", async () => {
    const { seen, url } = await setup(false, () => message("ok"), {});
    expect((await post(url, { authorization: "Bearer claude-code-oauth" })).status).toBe(200);
    expect(seen[0]!.headers.authorization).toBeUndefined();
  });

  test("a request the context stage changed is sent as changed, not as the client's bytes", async () => {
    const { seen, url } = await setup(true, () => message("ok"), { apiKey: "k", context: { window: 2000, truncate: false } });
    const body = JSON.stringify({ model: "claude-x", max_tokens: 4000, messages: [{ role: "user", content: "hi" }], future_field: { kept: true } });
    expect((await post(url, {}, body)).status).toBe(200);
    expect(seen[0]!.body).not.toBe(body);
    const sent = JSON.parse(seen[0]!.body);
    expect(sent.max_tokens).toBeLessThan(2000); // clamped to the window
    expect(sent.future_field).toEqual({ kept: true }); // unknown fields survive the one parse
  });
});

describe("sanitizeForAnthropic (protocol.md §8)", () => {
  test("clean history: null (bytes are forwarded unchanged)", () => {
    expect(sanitizeForAnthropic({ messages: [{ role: "user", content: "hi" }] })).toBeNull();
  });
  test("local thinking, empty text and odd ids are removed or rewritten consistently", () => {
    const out = sanitizeForAnthropic({
      thinking: { type: "enabled", budget_tokens: 2000 },
      messages: [
        { role: "user", content: "go" },
        { role: "assistant", content: [{ type: "thinking", thinking: "t", signature: "local:abc" }, { type: "text", text: "  " }, { type: "tool_use", id: "functions.Bash:0", name: "Bash", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "functions.Bash:0", content: "ok" }] },
      ],
    })!;
    const [, assistant, user] = out.messages as { content: Record<string, unknown>[] }[];
    expect(assistant!.content).toHaveLength(1);
    expect(assistant!.content[0]!.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(user!.content[0]!.tool_use_id).toBe(assistant!.content[0]!.id);
    expect(out.thinking).toBeUndefined(); // the open tool loop no longer starts with thinking
  });
});
