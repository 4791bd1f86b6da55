// A server that refuses the thinking parameters for a model that cannot think. Claude Code asks for
// (adaptive) thinking on every turn; Ollama answers any model without the thinking capability
// with 400 "\"llama3.1:8b\" does not support thinking" (server/routes.go ChatHandler: only its own
// Anthropic endpoint relaxes that), and OpenAI's API answers reasoning_effort for a model without
// reasoning (gpt-4o) with "Unrecognized request argument supplied: reasoning_effort" or
// "Unsupported parameter: 'reasoning_effort' is not supported with this model.". Such a model is
// asked again, and from then on, without them.
import type { ChatRequest } from "../protocol/openai.ts";
import type { AnthropicError } from "../translate/errors.ts";

const REFUSALS = /does not support thinking|unrecognized request argument supplied: reasoning_effort|unsupported parameter: 'reasoning_effort'/i;

export function refusesThinking(error: AnthropicError): boolean {
  return error.type === "invalid_request_error" && REFUSALS.test(error.message);
}

/** The request without the fields that ask for thinking; null when it has none. */
export function withoutThinking(request: ChatRequest): ChatRequest | null {
  if (request.reasoning_effort == null && request.reasoning == null) return null;
  const { reasoning_effort: _effort, reasoning: _reasoning, ...rest } = request;
  return rest;
}
