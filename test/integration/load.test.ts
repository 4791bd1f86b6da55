// 64 concurrent streaming Claude Code requests against a scripted upstream: all complete correctly.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Listening } from "../../src/runtime/serve.ts";
import { chunk, DONE, finish, sse, text, usageChunk } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

const CONCURRENCY = 64;
let upstream: Upstream;
let proxy: Listening;

beforeAll(async () => {
  // Each answer names its request (the last user text) and streams in 40 pieces, 5 ms apart.
  upstream = await startUpstream((req) => {
    const id = /request-(\d+)/.exec(JSON.stringify(req.messages.at(-1)))?.[1] ?? "?";
    const pieces = Array.from({ length: 40 }, (_, i) => [{ delayMs: 5 }, text(`r${id}p${i} `)]).flat();
    return sse(chunk({ role: "assistant", content: "" }), ...pieces, finish("stop"), usageChunk(15000, 40, 14000), DONE);
  });
  proxy = await startProxy({ upstreamUrl: upstream.url });
});
afterAll(async () => {
  await proxy.stop();
  await upstream.stop();
});

test(`${CONCURRENCY} concurrent streaming requests complete correctly`, async () => {
  const base = loadFixture("print-mode-hello").body;
  const client = new Anthropic({ baseURL: proxy.url, apiKey: "x", maxRetries: 0 });
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      const t0 = performance.now();
      const body = { ...base, messages: [...base.messages, { role: "user", content: `request-${i}` }] } as unknown as Anthropic.MessageCreateParamsStreaming;
      let first = 0;
      const stream = client.messages.stream(body);
      stream.once("text", () => (first = performance.now() - t0));
      const m = await stream.finalMessage();
      return { i, m, first, total: performance.now() - t0 };
    }),
  );
  const wall = performance.now() - started;
  for (const { i, m } of results) {
    const expected = Array.from({ length: 40 }, (_, p) => `r${i}p${p} `).join("");
    expect(m.content).toMatchObject([{ type: "text", text: expected }]);
    expect(m.usage).toMatchObject({ input_tokens: 1000, cache_read_input_tokens: 14000, output_tokens: 40 });
  }
  const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor((p / 100) * (xs.length - 1))]!;
  const firsts = results.map((r) => r.first);
  const totals = results.map((r) => r.total);
  console.log(
    `load: ${CONCURRENCY} concurrent streams in ${wall.toFixed(0)} ms; first token p50 ${pct(firsts, 50).toFixed(1)} ms p95 ${pct(firsts, 95).toFixed(1)} ms; ` +
      `complete p50 ${pct(totals, 50).toFixed(1)} ms p95 ${pct(totals, 95).toFixed(1)} ms`,
  );
}, 60_000);
