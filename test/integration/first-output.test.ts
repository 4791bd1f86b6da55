// The answer's first output goes to the client on its own, even when the server's first read holds
// much more: a fast local server writes a short answer's role chunk, reasoning, text, finish, usage
// and [DONE] at once (as the bench's scripted upstream does, scripts/bench/proxy-procs.ts), and its
// whole decoding, translation and framing came before the client saw any of it. The bytes are the
// same either way (sse-golden, wire-corpus); only where the first write ends changes.
import { afterEach, describe, expect, test } from "bun:test";
import { decodeBatches } from "../../src/backends/decode.ts";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible.ts";
import { PROFILES } from "../../src/backends/profiles.ts";
import { createLogger } from "../../src/cli/logger.ts";
import type { AnthropicEvent, MessagesRequest } from "../../src/protocol/anthropic.ts";
import type { Chunk } from "../../src/protocol/openai.ts";
import { sequentialIds } from "../../src/translate/ids.ts";
import { chunk, DONE, finish, reasoning, text, usageChunk } from "../helpers/chunks.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

/** SSE frames as one network write. */
const oneRead = (...frames: string[]) => frames.map((f) => `data: ${f}\n\n`).join("");
const role = chunk({ role: "assistant", content: "" });

/** A Response whose body is read once: the whole answer in the first read. */
const answer = (body: string) => new Response(new TextEncoder().encode(body), { headers: { "content-type": "text/event-stream" } });
const saysText = (c: Chunk) => !!c.choices?.[0]?.delta?.content;

async function batchesOf(body: string, firstOutput?: (c: Chunk) => boolean): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of decodeBatches(answer(body), { backend: "b", idleMs: 10_000, streamRequested: true, ...(firstOutput ? { firstOutput } : {}) }))
    out.push(batch.map((i) => (i.kind === "chunk" ? (i.chunk.choices?.[0]?.delta?.content ?? "-") : i.kind)));
  return out;
}

describe("decodeBatches: the first output cut out of its read", () => {
  const body = oneRead(role, text("Hel"), text("lo"), finish("stop"), DONE);
  test("without firstOutput: one batch per read", async () => {
    expect(await batchesOf(body)).toEqual([["", "Hel", "lo", "-", "end"]]);
  });
  test("with it: up to the first chunk it holds for, then the rest of the read", async () => {
    expect(await batchesOf(body, saysText)).toEqual([["", "Hel"], ["lo", "-", "end"]]);
  });
  test("only the first: later reads are whole", async () => {
    expect(await batchesOf(oneRead(text("a"), text("b"), text("c")) + `data: ${DONE}\n\n`, saysText)).toEqual([["a"], ["b", "c", "end"]]);
  });
  test("the output last in its read: nothing empty follows", async () => {
    expect(await batchesOf(oneRead(role, text("x")), saysText)).toEqual([["", "x"], ["end"]]);
  });
});

describe("OpenAICompatibleBackend: the first batch ends with the first output", () => {
  let upstream: Upstream | undefined;
  afterEach(async () => {
    await upstream?.stop();
    upstream = undefined;
  });

  const request: MessagesRequest = { model: "claude", max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] };
  /** The batches of the last of these answers, asked of one backend in turn. */
  async function batches(...answers: string[]): Promise<AnthropicEvent[][]> {
    upstream = await startUpstream(answers.map((frames) => ({ kind: "sse", frames: [{ raw: frames }] })));
    const backend = new OpenAICompatibleBackend({ profile: PROFILES.openai, baseUrl: upstream.url, logger: createLogger(0), ids: sequentialIds(), sign: () => "sig" });
    let out: AnthropicEvent[][] = [];
    for (const _ of answers) {
      out = [];
      for await (const b of backend.sendBatches(request, { model: "m", signal: new AbortController().signal })) out.push(b);
    }
    return out;
  }
  const deltaType = (ev: AnthropicEvent | undefined) => (ev?.type === "content_block_delta" ? ev.delta.type : ev?.type);
  const textAnswer = oneRead(role, text("Hello"), text(" there"), finish("stop"), usageChunk(20, 2), DONE);

  test("reasoning first (vLLM's and llama.cpp's reasoning parsers): the first batch ends with the thinking", async () => {
    const got = await batches(oneRead(role, reasoning("Plan."), text("tok0 "), text("tok1 "), finish("stop"), usageChunk(20, 2), DONE));
    expect(got.map((b) => b.map(deltaType))).toEqual([
      ["message_start", "content_block_start", "thinking_delta"],
      ["signature_delta", "content_block_stop", "content_block_start", "text_delta", "text_delta", "content_block_stop", "message_delta", "message_stop"],
    ]);
  });

  test("text first, from a model whose answers proved plain: the first batch ends with the text", async () => {
    const got = await batches(textAnswer, textAnswer);
    expect(got.map((b) => b.map(deltaType))).toEqual([
      ["message_start", "content_block_start", "text_delta"],
      ["text_delta", "content_block_stop", "message_delta", "message_stop"],
    ]);
  });

  test("text first from a model not yet known plain: held as before (it may be reasoning), nothing is made up", async () => {
    const got = await batches(textAnswer);
    expect(got.map((b) => b.map(deltaType))).toEqual([["message_start"], ["content_block_start", "text_delta", "content_block_stop", "message_delta", "message_stop"]]);
  });
});
