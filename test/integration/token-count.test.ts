// One counter: on each captured Claude Code request the context check, count_tokens and
// `trace analyze` give the same number; and the context stage's fast path still clamps max_tokens.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import * as v from "valibot";
import { localCounter } from "../../src/context/text-counter.ts";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import type { Listening } from "../../src/runtime/serve.ts";
import { analyzeRequest } from "../../src/trace/analyze.ts";
import { textReply } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
let tiny: Listening;
let roomy: Listening;
beforeAll(async () => {
  upstream = await startUpstream(() => textReply("ok"));
  // A window every captured request overflows, so the context check counts and says the count.
  tiny = await startProxy({ upstreamUrl: upstream.url, app: { context: { window: 1000, truncate: false } } });
  roomy = await startProxy({ upstreamUrl: upstream.url, app: { context: { window: 32_768, truncate: false } } });
});
afterAll(async () => {
  await Promise.all([tiny.stop(), roomy.stop()]);
  await upstream.stop();
});

const post = (proxy: Listening, path: string, body: unknown) =>
  fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("the three counts agree", () => {
  for (const name of ["print-mode-hello", "print-mode-bash-tool-result", "interactive-hello"]) {
    test(name, async () => {
      const body = { ...loadFixture(name).body, stream: false };
      const refused = (await (await post(tiny, "/v1/messages", body)).json()) as { error: { message: string } };
      const contextCheck = Number(/prompt is too long: (\d+) tokens > 1000 maximum/.exec(refused.error.message)?.[1]);
      const counted = ((await (await post(tiny, "/v1/messages/count_tokens", body)).json()) as { input_tokens: number }).input_tokens;
      const analyzed = (await analyzeRequest(v.parse(MessagesRequestSchema, body), localCounter())).total;
      expect(contextCheck).toBeGreaterThan(1000);
      expect(counted).toBe(contextCheck);
      expect(analyzed).toBe(contextCheck);
    });
  }
});

test("a small request asking for more than the window gets max_tokens clamped (the fast path, no tokenizer)", async () => {
  const res = await post(roomy, "/v1/messages", { model: "claude-x", max_tokens: 64_000, messages: [{ role: "user", content: "hi" }] });
  expect(res.status).toBe(200);
  const sent = upstream.requests.at(-1)! as { max_tokens?: number; max_completion_tokens?: number };
  const maxTokens = sent.max_tokens ?? sent.max_completion_tokens;
  expect(maxTokens).toBeLessThan(32_768);
  expect(maxTokens).toBeGreaterThan(32_000);
});
