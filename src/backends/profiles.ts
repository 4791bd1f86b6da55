// One profile per OpenAI-compatible server: the translation quirks of protocol.md §5.9.
// Server facts (URLs, ports, windows) live in servers.ts.
import type { Mode } from "../config/schema.ts";
import { DEFAULT_PROFILE, type TranslateProfile } from "../translate/profile.ts";

/** Every mode but `claude` (which forwards Anthropic requests untranslated) has a profile. */
export type ProfileName = Exclude<Mode, "claude">;

export interface ServerProfile {
  name: ProfileName;
  translate: TranslateProfile;
  /** Extra headers every request carries (OpenRouter attribution). */
  headers?: Record<string, string>;
}

const base = DEFAULT_PROFILE;

export const PROFILES: Record<ProfileName, ServerProfile> = {
  openai: { name: "openai", translate: { ...base, imageUrls: true } },
  lmstudio: {
    name: "lmstudio",
    translate: { ...base, reasoningField: "reasoning_content", thinkingStyle: "reasoning_effort" },
  },
  ollama: {
    name: "ollama",
    translate: {
      ...base,
      reasoningField: "reasoning",
      toolChoice: false,
      imageTypes: ["image/jpeg", "image/png", "image/webp"],
    },
  },
  llamacpp: {
    name: "llamacpp",
    translate: {
      ...base,
      reasoningField: "reasoning_content",
      thinkingStyle: "template_kwargs",
      explicitParallelToolCalls: true,
    },
  },
  vllm: {
    name: "vllm",
    translate: { ...base, reasoningField: "reasoning", thinkingStyle: "template_kwargs", imageUrls: true },
  },
  mlx: {
    name: "mlx",
    translate: { ...base, reasoningField: null, thinkingStyle: "template_kwargs", toolChoice: false },
  },
  openrouter: {
    name: "openrouter",
    translate: { ...base, reasoningField: "reasoning", thinkingStyle: "openrouter", inlineThink: false, imageUrls: true },
    headers: { "HTTP-Referer": "https://github.com/anyclaude/anyclaude", "X-Title": "anyclaude" },
  },
};

/**
 * Mistral's models refuse other tool-call ids ("Tool call id was … but must be a-z, A-Z, 0-9, with a
 * length of 9"): mistral_common in vLLM and mlx-lm, their chat templates in llama.cpp and LM Studio,
 * and Mistral's API behind OpenRouter. Matched by name, wherever the model is served.
 */
const MISTRAL_FAMILY = /mistral|mixtral|ministral|devstral|magistral|codestral|pixtral/i;

/** The server's quirks plus the model's: OpenRouter Anthropic models keep cache markers (T1), Gemini gets a cleaner schema, Mistral gets its ids (T5). */
export function profileForModel(profile: ServerProfile, model: string): TranslateProfile {
  let p = profile.translate;
  if (profile.name === "openrouter" && model.startsWith("anthropic/")) p = { ...p, keepCacheControl: true };
  if (profile.name === "openrouter" && /gemini/i.test(model)) p = { ...p, schemaProfile: "gemini" };
  if (MISTRAL_FAMILY.test(model)) p = { ...p, mistralToolIds: true };
  return p;
}
