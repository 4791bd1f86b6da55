// OpenAI usage → Anthropic usage (protocol.md §6.8) and the estimates used when none arrives (§7.6).
import type { Usage } from "../protocol/anthropic.ts";
import type { ChatUsage } from "../protocol/openai.ts";

export function anthropicUsage(u: ChatUsage, cacheN?: number): Usage {
  const cached = u.prompt_tokens_details?.cached_tokens ?? cacheN ?? 0;
  const written = u.prompt_tokens_details?.cache_write_tokens ?? 0;
  return {
    // input_tokens excludes cached tokens; reporting both would count the cache twice.
    input_tokens: Math.max((u.prompt_tokens ?? 0) - cached - written, 0),
    output_tokens: u.completion_tokens ?? 0,
    cache_read_input_tokens: cached,
    cache_creation_input_tokens: written,
  };
}

export const estimateInputTokens = (serializedRequestChars: number) => Math.ceil(serializedRequestChars / 3.5);
export const estimateOutputTokens = (chars: number) => Math.ceil(chars / 4);
