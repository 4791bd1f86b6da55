// A server that refuses one request parameter fails every Claude Code turn. Each refusal named here
// has one rewrite that means the same to the model: the turn is asked again with it, and the
// model's later turns are asked with it from the start (openai-compatible.ts).
//  - thinking: Ollama answers reasoning_effort for a model without the thinking capability with 400
//    "\"llama3.1:8b\" does not support thinking" (server/routes.go ChatHandler), OpenAI's API for a
//    model without reasoning (gpt-4o) "Unrecognized request argument supplied: reasoning_effort" or
//    "Unsupported parameter: 'reasoning_effort' is not supported with this model.", Groq's
//    "`reasoning_effort` is not supported with this model" (Llama) and xAI's "Model … does not
//    support parameter reasoningEffort." (grok-4.20, which reasons without it): asked without them.
//    Groq's qwen3 takes only none or default ("`reasoning_effort` must be one of `none` or
//    `default`") and reasons by default: without the field it thinks, as Claude Code asked.
//  - max_tokens: OpenAI's reasoning models (o1, o3, gpt-5…) "Unsupported parameter: 'max_tokens' is
//    not supported with this model. Use 'max_completion_tokens' instead.": the same budget under that name.
//  - temperature, top_p: the same models take only the default ("Unsupported value: 'temperature'
//    does not support 0.5 with this model. Only the default (1) value is supported.", or
//    "Unsupported parameter: 'temperature' is not supported with this model."): left to the default.
//  - stream_options: Azure OpenAI at older api-versions ("Unrecognized request argument supplied:
//    stream_options", or "Unknown parameter: 'stream_options'."): asked without it; the answer is
//    the same, its usage estimated when the stream carries none (protocol.md §7.6).
// Fixtures with the servers' bytes and their sources: test/fixtures/refusals/.
import type { ChatRequest } from "../protocol/openai.ts";
import type { AnthropicError } from "../translate/errors.ts";

export type RefusedParameter = "thinking" | "max_tokens" | "temperature" | "top_p" | "stream_options";

const WORDINGS: readonly (readonly [RefusedParameter, RegExp])[] = [
  [
    "thinking",
    /does not support thinking|unrecognized request argument supplied: reasoning_effort|reasoning_effort\W? is not supported with this model|does not support parameter reasoning_?effort|`reasoning_effort` must be one of `none` or `default`/i,
  ],
  ["max_tokens", /unsupported parameter: 'max_tokens'/i],
  ["temperature", /unsupported (?:parameter|value): 'temperature'/i],
  ["top_p", /unsupported (?:parameter|value): 'top_p'/i],
  ["stream_options", /unrecognized request argument supplied: stream_options|unknown parameter: 'stream_options'/i],
];

/** The parameter a server refused (a 400 naming it), or null for any other failure. */
export function refusedParameter(error: AnthropicError): RefusedParameter | null {
  if (error.type !== "invalid_request_error") return null;
  for (const [parameter, wording] of WORDINGS) if (wording.test(error.message)) return parameter;
  return null;
}

/** The request as a server that refuses `parameter` takes it; null when it does not carry it (nothing to ask again). */
export function withoutParameter(request: ChatRequest, parameter: RefusedParameter): ChatRequest | null {
  switch (parameter) {
    case "thinking": {
      if (request.reasoning_effort == null && request.reasoning == null) return null;
      const { reasoning_effort: _effort, reasoning: _reasoning, ...rest } = request;
      return rest;
    }
    case "max_tokens": {
      if (request.max_tokens == null) return null;
      const { max_tokens, ...rest } = request;
      return { ...rest, max_completion_tokens: max_tokens };
    }
    default: {
      if (request[parameter] == null) return null;
      const { [parameter]: _refused, ...rest } = request;
      return rest;
    }
  }
}

/** The request as the server takes it, for a model that refused these parameters before. */
export function withoutParameters(request: ChatRequest, refused: Iterable<RefusedParameter>): ChatRequest {
  let out = request;
  for (const parameter of refused) out = withoutParameter(out, parameter) ?? out;
  return out;
}

/** The request with another answer budget, under the name it carries it. */
export function withAnswerBudget(request: ChatRequest, tokens: number): ChatRequest {
  return request.max_completion_tokens != null ? { ...request, max_completion_tokens: tokens } : { ...request, max_tokens: tokens };
}
