// Every server's "prompt does not fit" wording → Anthropic's "prompt is too long: N tokens > M maximum".
// The wordings are the servers' own; test/fixtures/wire names the source of each.
import { describe, expect, test } from "bun:test";
import { completeOverflow, mapStreamError, mapUpstreamError, PromptTooLongError, roomForAnswer } from "../../src/translate/errors.ts";
import { retryAfterToMs } from "../../src/backends/transport.ts";

const err = (message: string, extra: object = {}) => JSON.stringify({ error: { message, ...extra } });

// [server, status, body, known {promptTokens, window}, expected message]
const OVERFLOWS: [string, number, string, { promptTokens?: number; window?: number }, string][] = [
  ["llama.cpp current (fields)", 400, JSON.stringify({ error: { code: 400, message: "request (40017 tokens) exceeds the available context size (32768 tokens), try increasing it", type: "exceed_context_size_error", n_prompt_tokens: 40017, n_ctx: 32768 } }), {}, "prompt is too long: 40017 tokens > 32768 maximum"],
  ["llama.cpp current (text only)", 400, err("request (40017 tokens) exceeds the available context size (32768 tokens), try increasing it"), {}, "prompt is too long: 40017 tokens > 32768 maximum"],
  ["llama.cpp older, no numbers", 400, err("the request exceeds the available context size. try increasing the context size or enable context shift", { type: "invalid_request_error" }), { promptTokens: 40001, window: 32768 }, "prompt is too long: 40001 tokens > 32768 maximum"],
  ["llama.cpp physical batch (500)", 500, err("input is too large to process. increase the physical batch size", { type: "server_error" }), { promptTokens: 9000, window: 8192 }, "prompt is too long: 9000 tokens > 8192 maximum"],
  ["vLLM < 0.10", 400, JSON.stringify({ object: "error", message: "This model's maximum context length is 32768 tokens. However, you requested 72000 tokens (40000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.", type: "BadRequestError", param: null, code: 400 }), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["vLLM input tokens", 400, err("This model's maximum context length is 32768 tokens. However, your request has 40000 input tokens. Please reduce the length of the input messages. None", { type: "BadRequestError", code: 400 }), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["vLLM ≥ 0.10", 400, err("This model's maximum context length is 32768 tokens. However, you requested 4096 output tokens and your prompt contains at least 40000 input tokens, for a total of at least 44096 tokens. Please reduce the length of the input prompt or the number of requested output tokens.", { type: "BadRequestError", code: 400 }), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["vLLM V1 decoder prompt", 400, err("The decoder prompt (length 40000) is longer than the maximum model length of 32768. Make sure that `max_model_len` is no smaller than the number of text tokens."), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["Ollama (excess only)", 400, err("prompt too long; exceeded max context length by 7232 tokens", { type: "invalid_request_error" }), { window: 32768 }, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["Ollama native string", 400, JSON.stringify({ error: "prompt too long; exceeded max context length by 7232 tokens" }), { window: 32768 }, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["Ollama ≥ 0.30.9, no context shift", 400, err("the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length", { type: "invalid_request_error" }), { promptTokens: 40000, window: 32768 }, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["Ollama MLX engine", 500, err("input length (40000 tokens) exceeds the model's maximum context length (32768 tokens)", { type: "api_error" }), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["LM Studio keep-first", 400, JSON.stringify({ error: "Trying to keep the first 40000 tokens when context the overflows. However, the model is loaded with context length of only 32768 tokens, which is not enough. Try to load the model with a larger context length, or provide a shorter input" }), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["LM Studio 0.4 n_keep with numbers (Gitlawb/openclaude#353)", 400, JSON.stringify({ error: "The number of tokens to keep from the initial prompt is greater than the context length (n_keep: 13055>= n_ctx: 4096). Try to load the model with a larger context length, or provide a shorter input." }), { promptTokens: 12000, window: 32768 }, "prompt is too long: 13055 tokens > 4096 maximum"],
  ["LM Studio mid-generation (lmstudio-bug-tracker#1024)", 500, err("Reached context length of 32000 tokens with model (arch: gpt-oss) that does not currently support mid-generation context overflow. Try reloading with a larger context length or shortening the prompt/chat."), { promptTokens: 30000 }, "prompt is too long: 32001 tokens > 32000 maximum"],
  ["LM Studio n_keep", 400, err("The number of tokens to keep from the initial prompt is greater than the context length"), { promptTokens: 40000, window: 32768 }, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["OpenRouter", 400, err("This endpoint's maximum context length is 32768 tokens. However, you requested about 41000 tokens (40000 of text input, 1000 in the output). Please reduce the length of either one, or use the \"middle-out\" transform to compress your prompt automatically.", { code: 400 }), {}, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["OpenRouter code only", 400, err("too long", { code: "context_length_exceeded" }), { promptTokens: 40000, window: 32768 }, "prompt is too long: 40000 tokens > 32768 maximum"],
  // vLLM ≥ 0.16 counts the prompt only up to one token past what max_tokens leaves (vllm/renderers/params.py
  // get_encode_kwargs: max_length = max_input_tokens + 1), so "at least P" is that bound, never the prompt.
  // When nothing shows the prompt alone overflows, it is max_tokens that does not fit: Anthropic's own wording.
  ["vLLM ≥ 0.18 'at least', our count", 400, err("This model's maximum context length is 32768 tokens. However, you requested 32512 output tokens and your prompt contains at least 257 input tokens, for a total of at least 32769 tokens. Please reduce the length of the input prompt or the number of requested output tokens. (parameter=input_tokens, value=257)", { type: "BadRequestError", code: 400 }), { promptTokens: 20000, window: 32768 }, "input length and `max_tokens` exceed context limit: 20000 + 32512 > 32768, decrease input length or `max_tokens` and try again"],
  ["vLLM ≥ 0.18 'at least', no count", 400, err("This model's maximum context length is 32768 tokens. However, you requested 32512 output tokens and your prompt contains at least 257 input tokens, for a total of at least 32769 tokens.", { code: 400 }), {}, "input length and `max_tokens` exceed context limit: 257 + 32512 > 32768, decrease input length or `max_tokens` and try again"],
  ["vLLM ≥ 0.18 'at least', our count over the window", 400, err("This model's maximum context length is 32768 tokens. However, you requested 32000 output tokens and your prompt contains at least 769 input tokens, for a total of at least 32769 tokens.", { code: 400 }), { promptTokens: 40000, window: 32768 }, "prompt is too long: 40000 tokens > 32768 maximum"],
  ["vLLM ≥ 0.18 characters", 400, err("This model's maximum context length is 65536 tokens. However, you requested 65536 output tokens and your prompt contains 77409 characters (more than 0 characters, which is the upper bound for 0 input tokens). Please reduce the length of the input prompt or the number of requested output tokens. (parameter=input_text, value=77409)", { code: 400 }), { promptTokens: 25000, window: 65536 }, "input length and `max_tokens` exceed context limit: 25000 + 65536 > 65536, decrease input length or `max_tokens` and try again"],
  ["vLLM 0.16–0.17 tokens", 400, err("You passed 769 input tokens and requested 32000 output tokens. However, the model's context length is only 32768 tokens, resulting in a maximum input length of 768 tokens. Please reduce the length of the input prompt. (parameter=input_tokens, value=769)", { code: 400 }), { promptTokens: 21000 }, "input length and `max_tokens` exceed context limit: 21000 + 32000 > 32768, decrease input length or `max_tokens` and try again"],
  ["vLLM 0.16–0.17 characters (higress-group/hiclaw#346)", 400, err("You passed 74655 input characters and requested 32000 output tokens. However, the model's context length is only 32000 tokens, resulting in a maximum input length of 0 tokens (at most 0 characters). Please reduce the length of the input prompt. (parameter=input_text, value=74655)", { code: 400 }), { promptTokens: 19000 }, "input length and `max_tokens` exceed context limit: 19000 + 32000 > 32000, decrease input length or `max_tokens` and try again"],
  ["vLLM 0.18–0.19 max_tokens over the window", 400, err("max_tokens=64000cannot be greater than max_model_len=max_total_tokens=32768. Please request fewer output tokens. (parameter=max_tokens, value=64000)", { code: 400 }), { promptTokens: 20000 }, "input length and `max_tokens` exceed context limit: 20000 + 64000 > 32768, decrease input length or `max_tokens` and try again"],
  ["vLLM max_tokens over the window, fixed wording", 400, err("max_tokens=64000 cannot be greater than max_model_len=32768. Please request fewer output tokens.", { code: 400 }), { promptTokens: 40000 }, "prompt is too long: 40000 tokens > 32768 maximum"],
];

describe("context overflow in every server's wording", () => {
  for (const [name, status, body, known, want] of OVERFLOWS) {
    test(name, () => {
      const e = mapUpstreamError(status, body, "x");
      expect(e).toBeInstanceOf(PromptTooLongError);
      const done = completeOverflow(e as PromptTooLongError, known);
      expect({ status: done.status, type: done.type, message: done.message }).toEqual({ status: 400, type: "invalid_request_error", message: want });
    });
  }
  test("numbers the server does not give and we do not know are never made up", () => {
    const e = mapUpstreamError(400, err("the request exceeds the available context size. try increasing the context size or enable context shift"), "llamacpp") as PromptTooLongError;
    expect(completeOverflow(e, { promptTokens: 40000 }).message).toBe("prompt is too long: 40000 tokens (llamacpp: the request exceeds the available context size. try increasing the context size or enable context shift)");
    expect(e.message).not.toMatch(/\d/);
  });
  test("a mid-stream llama.cpp error frame is an overflow too", () => {
    const e = mapStreamError({ code: 400, message: "request (9000 tokens) exceeds the available context size (8192 tokens), try increasing it", type: "exceed_context_size_error", n_prompt_tokens: 9000, n_ctx: 8192 }, "llamacpp");
    expect(e.message).toBe("prompt is too long: 9000 tokens > 8192 maximum");
  });
  test("our count below the window the server refused is raised to the smallest consistent count", () => {
    const e = mapUpstreamError(400, err("the request exceeds the available context size, try increasing it"), "x") as PromptTooLongError;
    expect(completeOverflow(e, { promptTokens: 30000, window: 32768 }).message).toBe("prompt is too long: 32769 tokens > 32768 maximum");
  });
  test("rate limits that mention tokens are not overflows", () => {
    expect(mapUpstreamError(429, err("Rate limit reached: too many tokens per minute"), "x").type).toBe("rate_limit_error");
  });
});

describe("max_tokens too large: the room left for the answer", () => {
  const cases: [string, string, number | null][] = [
    ["vLLM 'max_tokens' or 'max_completion_tokens'", "'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum context length is 32768 tokens and your request has 2778 input tokens (32000 > 32768 - 2778). None", 29989],
    ["vLLM 'max_tokens'", "'max_tokens' is too large: 32000. This model's maximum context length is 32768 tokens and your request has 2778 input tokens (32000 > 32768 - 2778).", 29989],
    ["vLLM < 0.10", "This model's maximum context length is 32768 tokens. However, you requested 34000 tokens (2000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.", 30767],
    ["vLLM ≥ 0.10, an exact count", "This model's maximum context length is 32768 tokens. However, you requested 32000 output tokens and your prompt contains 2001 input tokens, for a total of 34001 tokens.", 30766],
    // A lower bound: asking again with the room it leaves only moves the bound (Claude Code gets Anthropic's wording instead).
    ["vLLM ≥ 0.18 'at least': no retry", "This model's maximum context length is 32768 tokens. However, you requested 32000 output tokens and your prompt contains at least 769 input tokens, for a total of at least 32769 tokens.", null],
    ["vLLM 0.16–0.17 'You passed': no retry", "You passed 769 input tokens and requested 32000 output tokens. However, the model's context length is only 32768 tokens, resulting in a maximum input length of 768 tokens.", null],
    ["prompt alone too long: no retry", "This model's maximum context length is 32768 tokens. However, you requested 4096 output tokens and your prompt contains at least 40000 input tokens, for a total of at least 44096 tokens.", null],
    ["not an overflow", "bad tools", null],
  ];
  for (const [name, message, room] of cases) test(name, () => expect(roomForAnswer(400, err(message))).toBe(room));
});

describe("Retry-After", () => {
  const now = Date.parse("2026-11-30T20:00:00Z");
  test.each([
    ["3", 3000],
    ["0", 0],
    ["1.5", 1500],
    ["Mon, 30 Nov 2026 20:00:07 GMT", 7000],
    ["Mon, 30 Nov 2026 19:59:00 GMT", 0],
    ["soon", null],
    [undefined, null],
  ] as [string | undefined, number | null][])("%p", (value, ms) => expect(retryAfterToMs(value, now)).toBe(ms));
});
