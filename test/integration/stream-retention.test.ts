// What an answered stream leaves reachable. Under Node 20 the SSE response stream outlives the
// request until a full collection, and the Context with it (src/server/respond.ts): it must not
// keep the request body.
import { expect, test } from "bun:test";
import type { Context } from "hono";
import { Hono } from "hono";
import type { Backend } from "../../src/backends/types.ts";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
import { createApp } from "../../src/server/app.ts";
import { answerStream, type EventBatches } from "../../src/server/respond.ts";
import { quietLogger } from "../helpers/proxy.ts";

const stop: AnthropicEvent = { type: "message_stop" };
const ping: AnthropicEvent = { type: "ping" };

function batchesOf(...batches: AnthropicEvent[][]): EventBatches {
  let i = 0;
  return { next: async () => (i < batches.length ? { done: false, value: batches[i++]! } : { done: true, value: undefined }) };
}

function streamingApp(makeBatches: () => EventBatches, seen: { context?: Context }) {
  const app = new Hono();
  app.post("/", async (c) => {
    seen.context = c;
    await c.req.text();
    return answerStream(c, makeBatches(), new AbortController(), { pingIntervalMs: 60_000, logger: quietLogger() });
  });
  return app;
}

test("once the stream has ended, the Context no longer holds the request body", async () => {
  const seen: { context?: Context } = {};
  const res = await streamingApp(() => batchesOf([ping], [stop]), seen).request("/", { method: "POST", body: "x".repeat(10_000) });
  expect(await res.text()).toBe("event: ping\ndata: {\"type\":\"ping\"}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  expect(seen.context!.req.bodyCache).toEqual({});
});

// The request's abort signal outlives the handler as long as the Context does (src/server/app.ts).
test("the client-disconnect hook does not keep the handler's parsed request", async () => {
  const collected: string[] = [];
  const registry = new FinalizationRegistry((name: string) => collected.push(name));
  const contexts: Context[] = [];
  const backend: Backend = {
    name: "fake",
    describe: async () => ({ name: "fake", baseUrl: "", models: [] }),
    async *send(req) {
      registry.register(req, "request");
      yield { type: "message_stop" };
    },
  };
  const app = createApp({ backend, routing: { model: "m" }, logger: quietLogger() });
  const outer = new Hono();
  // Kept as Hono's stash keeps it for a stream that Node 20 keeps alive.
  outer.use(async (c, next) => {
    contexts.push(c);
    await next();
  });
  outer.route("/", app);
  const answer = async () => {
    const res = await outer.request("/v1/messages", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", max_tokens: 10, stream: true, messages: [{ role: "user", content: "hi" }] }) });
    expect(res.status).toBe(200);
    await res.text();
  };
  await answer();
  for (let i = 0; i < 20 && !collected.length; i++) {
    Bun.gc(true);
    await new Promise((r) => setTimeout(r, 10));
  }
  expect(contexts.length).toBe(1);
  expect(collected).toEqual(["request"]);
});
