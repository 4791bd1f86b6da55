// A server that refuses the thinking parameters for a model that cannot think. Claude Code asks for
// (adaptive) thinking on every turn; Ollama answers any model without the thinking capability
// with 400 "\"llama3.1:8b\" does not support thinking" (server/routes.go ChatHandler: only its own
// Anthropic endpoint relaxes that). Such a model is asked again, and from then on, without them.
import type { ChatRequest } from "../protocol/openai.ts";
import type { AnthropicError } from "../translate/errors.ts";

export function refusesThinking(error: AnthropicError): boolean {
  return error.type === "invalid_request_error" && /does not support thinking/i.test(error.message);
}

/** The request without the fields that ask for thinking; null when it has none. */
export function withoutThinking(request: ChatRequest): ChatRequest | null {
  if (request.reasoning_effort == null && request.reasoning == null) return null;
  const { reasoning_effort: _effort, reasoning: _reasoning, ...rest } = request;
  return rest;
}
