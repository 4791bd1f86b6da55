// The official Anthropic SDK talks to the real server, which talks to a scripted upstream.
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { chunk, DONE, finish, reasoning, sse, text, textReply, toolArgs, toolStart, usageChunk } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startProxy } from "../helpers/proxy.ts";
import { type Reply, startUpstream } from "../helpers/upstream.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function setup(script: Parameters<typeof startUpstream>[0], proxyOpts: Partial<Parameters<typeof startProxy>[0]> = {}) {
  const upstream = await startUpstream(script);
  const proxy = await startProxy({ upstreamUrl: upstream.url, ...proxyOpts });
  cleanup.push(() => upstream.stop(), () => proxy.stop());
  const client = new Anthropic({ baseURL: proxy.url, apiKey: "test-key", maxRetries: 0 });
  return { upstream, proxy, client };
}

const BASH = { name: "Bash", description: "Run a command", input_schema: { type: "object" as const, properties: { command: { type: "string" } }, required: ["command"] } };

describe("Anthropic SDK through anyclaude", () => {
  test("streaming: MessageStream accumulates thinking, text and a tool call", async () => {
    const { client, upstream } = await setup([
      sse(
        chunk({ role: "assistant", content: "" }),
        reasoning("Need to list."),
        text("Listing"),
        text(" files."),
        toolStart(0, "call_1", "Bash", '{"comm'),
        toolArgs(0, 'and":'),
        toolArgs(0, '"ls -la"}'),
        finish("tool_calls"),
        usageChunk(1200, 30, 1000),
        DONE,
      ),
    ]);
    const stream = client.messages.stream({
      model: "claude-sonnet-5",
      max_tokens: 4096,
      system: [{ type: "text", text: "x-anthropic-billing-header: cch=abc;" }, { type: "text", text: "You are helpful." }],
      messages: [{ role: "user", content: "list files" }],
      tools: [BASH],
      thinking: { type: "enabled", budget_tokens: 2048 },
    });
    const textSeen: string[] = [];
    stream.on("text", (t) => textSeen.push(t));
    const m = await stream.finalMessage();
    expect(textSeen.join("")).toBe("Listing files.");
    expect(m.model).toBe("claude-sonnet-5");
    expect(m.stop_reason).toBe("tool_use");
    expect(m.content).toMatchObject([
      { type: "thinking", thinking: "Need to list." },
      { type: "text", text: "Listing files." },
      { type: "tool_use", name: "Bash", input: { command: "ls -la" } },
    ]);
    expect((m.content[2] as { id: string }).id).toMatch(/^toolu_[A-Za-z0-9]{24}$/);
    expect(m.usage).toMatchObject({ input_tokens: 200, cache_read_input_tokens: 1000, output_tokens: 30 });
    expect(upstream.requests[0]).toEqual({
      model: "test-model",
      messages: [
        { role: "system", content: "You are helpful." },
        { role: "user", content: "list files" },
      ],
      max_tokens: 4096,
      stream: true,
      stream_options: { include_usage: true },
      reasoning_effort: "medium",
      tools: [{ type: "function", function: { name: "Bash", description: "Run a command", parameters: BASH.input_schema } }],
    });
  });

  test("non-streaming: the same events folded into one Message", async () => {
    const { client, upstream } = await setup([
      {
        kind: "json",
        body: {
          id: "chatcmpl-1",
          object: "chat.completion",
          choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "Hello there", reasoning_content: "greet" } }],
          usage: { prompt_tokens: 50, completion_tokens: 3 },
        },
      },
    ]);
    const m = await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 100, messages: [{ role: "user", content: "hi" }] });
    expect(m.content).toMatchObject([{ type: "thinking", thinking: "greet" }, { type: "text", text: "Hello there" }]);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.usage).toMatchObject({ input_tokens: 50, output_tokens: 3, cache_read_input_tokens: 0 });
    expect(m.id).toMatch(/^msg_/);
    expect(upstream.requests[0]).toEqual({ model: "test-model", messages: [{ role: "user", content: "hi" }], max_tokens: 100, stream: false });
  });

  test("a captured Claude Code request round-trips, with the tool result sent as role:tool", async () => {
    const { proxy, upstream } = await setup([textReply("a.txt is the only file", [20000, 8, 19000])]);
    const fixture = loadFixture("print-mode-bash-tool-result");
    const res = await fetch(`${proxy.url}${fixture.url}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "anthropic-beta": fixture.headers["anthropic-beta"]! },
      body: JSON.stringify(fixture.body),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const body = await res.text();
    expect(body).toContain('"text":"a.txt is the only file"');
    expect(body.trim().endsWith('data: {"type":"message_stop"}')).toBe(true);
    const sent = upstream.requests[0]!;
    expect(sent.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "toolu_011", content: "a.txt" });
    expect(sent.chat_template_kwargs ?? sent.reasoning_effort).toBe("medium");
  });

  test("count_tokens counts the converted request with gpt-tokenizer", async () => {
    const { client } = await setup([]);
    const small = await client.messages.countTokens({ model: "claude-x", messages: [{ role: "user", content: "hello world" }] });
    const big = await client.messages.countTokens({
      model: "claude-x",
      system: "You are a helpful assistant with a long system prompt. ".repeat(20),
      messages: [{ role: "user", content: "hello world" }],
      tools: [BASH],
    });
    expect(small.input_tokens).toBe(2 + 4); // "hello world" + message framing
    expect(big.input_tokens).toBeGreaterThan(small.input_tokens + 200);
  });

  test("models and health", async () => {
    const { client, proxy } = await setup([]);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["test-model"]);
    expect(await (await fetch(`${proxy.url}/health`)).json()).toEqual({ ok: true, backend: "openai" });
  });

  test("model routing: haiku-class requests go to the small model, mapped ids to their target", async () => {
    const { client, upstream } = await setup(() => textReply("ok"), {
      app: { routing: { model: "big", smallModel: "small", models: { "claude-opus-4-1": "special" } } },
    });
    for (const model of ["claude-haiku-4-5", "claude-opus-4-1", "claude-sonnet-5", "something-else"])
      await client.messages.create({ model, max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(upstream.requests.map((r) => r.model)).toEqual(["small", "special", "big", "big"]);
  });
});

describe("upstream faults reach the SDK as Anthropic errors", () => {
  const faults: [string, Reply, number, string, RegExp][] = [
    ["500", { kind: "text", status: 500, body: '{"error":{"message":"model crashed"}}' }, 500, "api_error", /model crashed/],
    ["404 model not found", { kind: "json", status: 404, body: { error: { message: 'model "x" not found' } } }, 404, "not_found_error", /not found/],
    ["context overflow", { kind: "json", status: 400, body: { error: { code: 400, message: "request (40000 tokens) exceeds the available context size (32768 tokens)", type: "exceed_context_size_error", n_prompt_tokens: 40000, n_ctx: 32768 } } }, 400, "invalid_request_error", /prompt is too long: 40000 tokens > 32768 maximum/],
  ];
  for (const [name, reply, status, type, message] of faults) {
    for (const stream of [true, false]) {
      test(`${name} (${stream ? "streaming" : "non-streaming"})`, async () => {
        const { client } = await setup([reply]);
        const call = stream
          ? client.messages.stream({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).finalMessage()
          : client.messages.create({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
        const err = (await call.catch((e) => e)) as InstanceType<typeof Anthropic.APIError>;
        expect(err).toBeInstanceOf(Anthropic.APIError);
        expect(err.status).toBe(status);
        expect((err.error as { error: { type: string } }).error.type).toBe(type);
        expect(String(err.message)).toMatch(message);
        expect(err.requestID).toMatch(/^req_/);
      });
    }
  }

  test("a cut stream ends with an error event the SDK raises", async () => {
    const { client } = await setup([{ kind: "sse", frames: [chunk({ role: "assistant", content: "" }), text("partial")], cut: true }]);
    const err = await client.messages.stream({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect(String(err.message)).toMatch(/stream interrupted/);
  });

  test("a mid-stream error chunk becomes an error event", async () => {
    const { client } = await setup([sse(text("partial"), JSON.stringify({ error: { code: 502, message: "Provider overloaded", metadata: { error_type: "provider_overloaded" } } }))]);
    const err = await client.messages.stream({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
    expect((err.error as { error: { type: string } }).error.type).toBe("overloaded_error");
  });

  test("a malformed chunk ends the stream with api_error", async () => {
    const { client } = await setup([sse(text("ok"), "{not json")]);
    const err = await client.messages.stream({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).finalMessage().catch((e) => e);
    expect(String(err.message)).toMatch(/malformed stream chunk/);
  });

  test("a stalled stream ends with overloaded_error after the idle limit", async () => {
    const { client } = await setup([{ kind: "sse", frames: [text("thinking...")], stall: true }], { backend: { idleTimeoutMs: 300 } });
    const err = await client.messages.stream({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).finalMessage().catch((e) => e);
    expect((err.error as { error: { type: string } }).error.type).toBe("overloaded_error");
  });

  test("an unreachable upstream is a clear api_error after retries", async () => {
    // A listener that drops every connection at once counts the attempts; port 9 has no listener at all.
    let connections = 0;
    const dropper = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (s) => void (connections++, s.terminate()), data: () => {} } });
    cleanup.push(async () => dropper.stop(true));
    for (const upstreamUrl of [`http://127.0.0.1:${dropper.port}/v1`, "http://127.0.0.1:9/v1"]) {
      const proxy = await startProxy({ upstreamUrl });
      cleanup.push(() => proxy.stop());
      const client = new Anthropic({ baseURL: proxy.url, apiKey: "x", maxRetries: 0 });
      const err = await client.messages.create({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] }).catch((e) => e);
      expect(err.status).toBe(500);
      expect((err.error as { error: { type: string } }).error.type).toBe("api_error");
      expect(String(err.message)).toContain(`unreachable at ${upstreamUrl}`);
    }
    expect(connections).toBe(3); // the first try and the backend's 2 retries
  });

  test("vLLM: max_tokens that does not fit the window is clamped and retried once", async () => {
    const tooLong = { object: "error", message: "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens (8000 in the messages, 32000 in the completion). Please reduce the length.", type: "BadRequestError", code: 400 };
    const { client, upstream } = await setup([{ kind: "json", status: 400, body: tooLong }, textReply("fits now")]);
    const m = await client.messages.stream({ model: "c", max_tokens: 32000, messages: [{ role: "user", content: "x" }] }).finalMessage();
    expect(m.content).toMatchObject([{ type: "text", text: "fits now" }]);
    expect(upstream.requests.map((r) => r.max_tokens)).toEqual([32000, 32768 - 8000 - 1]);
  });

  test("429 then success: retried before the first byte", async () => {
    const { client, upstream } = await setup([{ kind: "json", status: 429, body: { error: "busy" } }, textReply("finally")]);
    const m = await client.messages.create({ model: "c", max_tokens: 10, messages: [{ role: "user", content: "x" }] });
    expect(m.content).toMatchObject([{ type: "text", text: "finally" }]);
    expect(upstream.requests).toHaveLength(2);
  });

  test("a slow upstream: the stream commits early and pings until the answer arrives", async () => {
    const { proxy } = await setup([{ ...textReply("late answer"), headerDelayMs: 700 }], {
      backend: { commitAfterMs: 100 },
      app: { pingIntervalMs: 150 },
    });
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "c", max_tokens: 10, stream: true, messages: [{ role: "user", content: "x" }] }),
    });
    const body = await res.text();
    const events = [...body.matchAll(/^event: (\w+)/gm)].map((m) => m[1]);
    expect(events[0]).toBe("message_start");
    expect(events[1]).toBe("ping");
    expect(events.at(-1)).toBe("message_stop");
    expect(body).toContain("late answer");
  });

  test("a stop sequence ends the message and stops the upstream", async () => {
    const frames = [text("Answer: 42"), text(" STOP and then much more"), ...Array.from({ length: 50 }, () => [{ delayMs: 20 }, text("x")]).flat()];
    const { client, upstream } = await setup([{ kind: "sse", frames }]);
    const m = await client.messages.stream({ model: "c", max_tokens: 100, stop_sequences: ["STOP"], messages: [{ role: "user", content: "x" }] }).finalMessage();
    expect(m.content).toMatchObject([{ type: "text", text: "Answer: 42 " }]);
    expect(m.stop_reason).toBe("stop_sequence");
    expect(m.stop_sequence).toBe("STOP");
    const start = Date.now();
    while (upstream.aborted === 0 && Date.now() - start < 2000) await Bun.sleep(10);
    expect(upstream.aborted).toBe(1);
  });

  test("client disconnect aborts the upstream request", async () => {
    const frames = [text("a"), ...Array.from({ length: 100 }, () => [{ delayMs: 20 }, text("x")]).flat()];
    const { proxy, upstream } = await setup([{ kind: "sse", frames }]);
    const ac = new AbortController();
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "c", max_tokens: 10, stream: true, messages: [{ role: "user", content: "x" }] }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    const start = Date.now();
    while (upstream.aborted === 0 && Date.now() - start < 2000) await Bun.sleep(10);
    expect(upstream.aborted).toBe(1);
  });

  // The proxy asks the server which model is loaded (LM Studio), or counts a long prompt, before
  // it listens for the client's abort: a client gone by then must not leave the upstream working.
  for (const stream of [true, false])
    test(`a client gone before the upstream is asked leaves no upstream request open (stream: ${stream})`, async () => {
      const { proxy, upstream } = await setup([{ kind: "sse", frames: [], stall: true }], {
        app: { routing: { model: "test-model", loaded: () => Bun.sleep(300).then(() => undefined) } },
      });
      const body = JSON.stringify({ model: "c", max_tokens: 10, stream, messages: [{ role: "user", content: "x" }] });
      const socket = connect(proxy.port, "127.0.0.1");
      socket.on("error", () => {});
      socket.write(`POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      await Bun.sleep(100);
      socket.destroy();
      await Bun.sleep(1000);
      expect(upstream.aborted).toBe(upstream.requests.length);
    });
});
