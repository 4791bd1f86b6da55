// The quirks of one OpenAI-compatible server that translation must respect (protocol.md §5.9).
// Pure data: the concrete profiles live in backends/profiles.ts.

export type ThinkingStyle =
  | "reasoning_effort" // OpenAI, LM Studio, Ollama: reasoning_effort: low|medium|high
  | "openrouter" // reasoning: {effort} / {max_tokens}
  | "template_kwargs"; // vLLM, llama.cpp, MLX: chat_template_kwargs.enable_thinking

export interface TranslateProfile {
  /** Field used to send earlier reasoning back on assistant turns; null = drop it (T10). */
  reasoningField: "reasoning_content" | "reasoning" | null;
  thinkingStyle: ThinkingStyle;
  /** Server honours tool_choice; otherwise "any"/"tool" degrade to auto (§6.1). */
  toolChoice: boolean;
  /** llama.cpp runs one call at a time unless parallel_tool_calls is sent explicitly. */
  explicitParallelToolCalls: boolean;
  /** The model takes only Mistral-style 9-alphanumeric tool-call ids (T5); set per model by profileForModel. */
  mistralToolIds: boolean;
  /** Image media types the server accepts as data URIs (Ollama: no gif). */
  imageTypes: readonly string[];
  /** The server fetches http(s) image URLs itself (vLLM, OpenRouter, OpenAI); others get a placeholder (T18). */
  imageUrls: boolean;
  /** OpenRouter + anthropic/* models keep cache_control on system text parts (T1). */
  keepCacheControl: boolean;
  /** Reasoning may arrive inline as <think>…</think> in content (§7.5). */
  inlineThink: boolean;
  /** Remove additionalProperties/format/etc. that Gemini-family upstreams reject (§6.4). */
  schemaProfile: "default" | "gemini";
}

export const DEFAULT_PROFILE: TranslateProfile = {
  reasoningField: null,
  thinkingStyle: "reasoning_effort",
  toolChoice: true,
  explicitParallelToolCalls: false,
  mistralToolIds: false,
  imageTypes: ["image/jpeg", "image/png", "image/gif", "image/webp"],
  imageUrls: false,
  keepCacheControl: false,
  inlineThink: true,
  schemaProfile: "default",
};
