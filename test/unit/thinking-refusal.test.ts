// Which refusals mean "this model cannot think", and what is asked instead (thinking-refusal.ts).
// Wordings: Ollama server/routes.go ChatHandler (fixture ollama/does-not-support-thinking); OpenAI's API
// for gpt-4o as reported in generative-computing/mellea#270 and yaroslavyaroslav/OpenAI-sublime-text#146.
import { describe, expect, test } from "bun:test";
import { refusesThinking, withoutThinking } from "../../src/backends/thinking-refusal.ts";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { mapUpstreamError } from "../../src/translate/errors.ts";

const body = (message: string) => JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code: null } });

const CASES: [string, number, string, boolean][] = [
  ["Ollama", 400, body('"llama3.1:8b" does not support thinking'), true],
  ["OpenAI, gpt-4o (older wording)", 400, body("Unrecognized request argument supplied: reasoning_effort"), true],
  ["OpenAI, gpt-4o", 400, body("Unsupported parameter: 'reasoning_effort' is not supported with this model."), true],
  ["Ollama, tools", 400, body('"gemma3:4b" does not support tools'), false],
  ["another parameter", 400, body("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."), false],
  ["a server error that mentions thinking", 500, body("thinking parser failed: does not support thinking"), false],
];

describe("a refusal of the thinking parameters", () => {
  for (const [name, status, text, refuses] of CASES) test(name, () => expect(refusesThinking(mapUpstreamError(status, text, "x"))).toBe(refuses));
});

describe("the request without them", () => {
  const base: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 100, stream: true };
  test("reasoning_effort and reasoning go, the rest stays", () => {
    expect(withoutThinking({ ...base, reasoning_effort: "medium" })).toEqual(base);
    expect(withoutThinking({ ...base, reasoning: { effort: "high" } })).toEqual(base);
  });
  test("nothing to drop: null (no second request)", () => expect(withoutThinking(base)).toBeNull());
});
