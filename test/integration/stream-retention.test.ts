// What an answered stream leaves reachable. Under Node 20 the SSE response stream outlives the
// request until a full collection, and the Context with it (src/server/respond.ts): it must not
// keep the request body.
import { expect, test } from "bun:test";
import type { Context } from "hono";
import { Hono } from "hono";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
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
