// Which refusals name a parameter, and the request a server that refuses it takes (refused-parameters.ts).
// Wordings: test/fixtures/refusals (OpenAI's API, GitHub Copilot, Azure OpenAI, each with its source);
// thinking: Ollama server/routes.go ChatHandler (fixture wire/ollama/does-not-support-thinking), OpenAI's API
// for gpt-4o as reported in generative-computing/mellea#270 and yaroslavyaroslav/OpenAI-sublime-text#146.
import { describe, expect, test } from "bun:test";
import { type RefusedParameter, refusedParameter, withAnswerBudget, withoutParameter, withoutParameters } from "../../src/backends/refused-parameters.ts";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { mapUpstreamError } from "../../src/translate/errors.ts";
import { bodyText, loadRefusals } from "../helpers/refusal-fixtures.ts";

const body = (message: string) => JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: null } });

const CASES: [string, number, string, RefusedParameter | null][] = [
  ["Ollama", 400, body('"llama3.1:8b" does not support thinking'), "thinking"],
  ["OpenAI, gpt-4o (older wording)", 400, body("Unrecognized request argument supplied: reasoning_effort"), "thinking"],
  ["OpenAI, gpt-4o", 400, body("Unsupported parameter: 'reasoning_effort' is not supported with this model."), "thinking"],
  ["Ollama, tools", 400, body('"gemma3:4b" does not support tools'), null],
  ["a server error that mentions thinking", 500, body("thinking parser failed: does not support thinking"), null],
  ["a server error that names max_tokens", 500, body("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."), null],
  // vLLM's max_tokens check: an answer budget over the window, not a refused name (overflow.ts).
  ["vLLM, max_tokens too large", 400, body("'max_tokens' (or 'max_completion_tokens') is too large: 32000. This model's maximum context length is 32768 tokens and your request has 1000 input tokens (32000 > 32768 - 1000)."), null],
];

describe("a refused parameter", () => {
  for (const [name, status, text, refused] of CASES) test(name, () => expect(refusedParameter(mapUpstreamError(status, text, "x"))).toBe(refused));
  for (const f of loadRefusals()) test(`${f.name}: ${f.refuses ?? "not a refusal"}`, () => expect(refusedParameter(mapUpstreamError(f.response.status, bodyText(f), "openai"))).toBe(f.refuses));
});

describe("the request a server that refuses it takes", () => {
  const tools = [{ type: "function" as const, function: { name: "Bash", parameters: { type: "object" } } }];
  const base: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 100, stream: true, tools, tool_choice: "auto" };
  const ROWS: [string, RefusedParameter, ChatRequest, ChatRequest][] = [
    ["reasoning_effort goes", "thinking", { ...base, reasoning_effort: "medium" }, base],
    ["reasoning goes (OpenRouter)", "thinking", { ...base, reasoning: { effort: "high" } }, base],
    ["max_tokens becomes max_completion_tokens", "max_tokens", base, { model: "m", messages: base.messages, stream: true, tools, tool_choice: "auto", max_completion_tokens: 100 }],
    ["temperature 0.5 goes", "temperature", { ...base, temperature: 0.5 }, base],
    ["temperature 0 goes", "temperature", { ...base, temperature: 0 }, base],
    ["top_p goes", "top_p", { ...base, top_p: 0.9 }, base],
    ["stream_options goes", "stream_options", { ...base, stream_options: { include_usage: true } }, base],
  ];
  for (const [name, parameter, request, expected] of ROWS) {
    test(name, () => {
      const out = withoutParameter(request, parameter);
      expect(out).toEqual(expected);
      // What the model is asked is the same: messages, tools and the answer budget stay.
      expect(out!.messages).toBe(request.messages);
      expect(out!.tools).toBe(request.tools);
      expect(out!.max_tokens ?? out!.max_completion_tokens).toBe(request.max_tokens);
      // Refused again, there is nothing left to rewrite: the refusal is the answer, never a loop.
      expect(withoutParameter(out!, parameter)).toBeNull();
    });
  }
  test("a parameter the request does not carry: null (no second request)", () => {
    for (const parameter of ["thinking", "temperature", "top_p", "stream_options"] as const) expect(withoutParameter(base, parameter)).toBeNull();
    const { max_tokens: _, ...noBudget } = base;
    expect(withoutParameter(noBudget, "max_tokens")).toBeNull();
  });
  test("all a model refused before, at once", () => {
    const asked: ChatRequest = { ...base, temperature: 0.5, top_p: 0.9, stream_options: { include_usage: true }, reasoning_effort: "high" };
    expect(withoutParameters(asked, new Set<RefusedParameter>(["max_tokens", "temperature", "top_p", "stream_options", "thinking"]))).toEqual({ model: "m", messages: base.messages, stream: true, tools, tool_choice: "auto", max_completion_tokens: 100 });
    expect(withoutParameters(base, new Set<RefusedParameter>(["temperature"]))).toBe(base);
  });
});

describe("another answer budget", () => {
  const base: ChatRequest = { model: "m", messages: [], stream: false };
  test("under the name the request carries it", () => {
    expect(withAnswerBudget({ ...base, max_tokens: 100 }, 50)).toEqual({ ...base, max_tokens: 50 });
    expect(withAnswerBudget({ ...base, max_completion_tokens: 100 }, 50)).toEqual({ ...base, max_completion_tokens: 50 });
  });
});
