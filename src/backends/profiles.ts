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

/** OpenRouter routes to Anthropic models keep prompt-cache markers (T1). */
export function profileForModel(profile: ServerProfile, model: string): TranslateProfile {
  if (profile.name === "openrouter" && model.startsWith("anthropic/")) return { ...profile.translate, keepCacheControl: true };
  if (profile.name === "openrouter" && /gemini/i.test(model)) return { ...profile.translate, schemaProfile: "gemini" };
  return profile.translate;
}
