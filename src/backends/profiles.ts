// One profile per OpenAI-compatible server: its defaults and the quirks of protocol.md §5.9.
import { DEFAULT_PROFILE, type TranslateProfile } from "../translate/profile.ts";

export const PROFILE_NAMES = ["openai", "lmstudio", "ollama", "llamacpp", "vllm", "mlx", "openrouter"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ServerProfile {
  name: ProfileName;
  defaultBaseUrl: string;
  translate: TranslateProfile;
  /** Extra headers every request carries (OpenRouter attribution). */
  headers?: Record<string, string>;
}

const base = DEFAULT_PROFILE;

export const PROFILES: Record<ProfileName, ServerProfile> = {
  openai: { name: "openai", defaultBaseUrl: "http://127.0.0.1:8000/v1", translate: { ...base, imageUrls: true } },
  lmstudio: {
    name: "lmstudio",
    defaultBaseUrl: "http://127.0.0.1:1234/v1",
    translate: { ...base, reasoningField: "reasoning_content", thinkingStyle: "reasoning_effort" },
  },
  ollama: {
    name: "ollama",
    defaultBaseUrl: "http://127.0.0.1:11434/v1",
    translate: {
      ...base,
      reasoningField: "reasoning",
      toolChoice: false,
      imageTypes: ["image/jpeg", "image/png", "image/webp"],
    },
  },
  llamacpp: {
    name: "llamacpp",
    defaultBaseUrl: "http://127.0.0.1:8080/v1",
    translate: {
      ...base,
      reasoningField: "reasoning_content",
      thinkingStyle: "template_kwargs",
      explicitParallelToolCalls: true,
    },
  },
  vllm: {
    name: "vllm",
    defaultBaseUrl: "http://127.0.0.1:8000/v1",
    translate: { ...base, reasoningField: "reasoning", thinkingStyle: "template_kwargs", imageUrls: true },
  },
  mlx: {
    name: "mlx",
    defaultBaseUrl: "http://127.0.0.1:8081/v1",
    translate: { ...base, reasoningField: null, thinkingStyle: "template_kwargs", toolChoice: false },
  },
  openrouter: {
    name: "openrouter",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
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
