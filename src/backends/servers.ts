// The one registry of servers anyclaude speaks to: where each listens by default, whether it is
// looked for on the local ports, how it tells its context window, and what to do when that
// window is too small. Config defaults, the local probe, doctor, launch and the docs read it.
import type { Mode } from "../config/schema.ts";
import { llamacppWindow, type ServerFetch, type WindowProbe } from "./context-probes.ts";
import { lmstudioInventory, lmstudioWindow } from "./lmstudio.ts";
import { ollamaInventory, ollamaWindow } from "./ollama.ts";
import type { ModelInfo } from "./types.ts";

export interface ServerEntry {
  /** How users know the server ("LM Studio"). */
  label: string;
  /** The OpenAI-compatible root it answers on out of the box (the API root for `claude`). */
  baseUrl: string;
  /** Used when the user names no model. */
  defaultModel?: string;
  /** Looked for on its default port when no mode is configured (in this order). */
  probeLocally: boolean;
  /** Learns the context window the server runs a model with. */
  window?: WindowProbe;
  /** The server's own model list: what is loaded, of which kind, with what window. */
  inventory?: (get: ServerFetch) => Promise<ModelInfo[] | undefined>;
  /** Requests follow the model the user has loaded when none is configured (LM Studio). */
  followsLoadedModel?: boolean;
  /** What to change when the window is too small for Claude Code. */
  windowAdvice?: string;
  /** A hosted service that refuses every request without a key: the variable that holds it. */
  requiredKeyEnv?: string;
}

export const SERVERS: Record<Mode, ServerEntry> = {
  mlx: {
    label: "anyclaude's MLX server",
    baseUrl: "http://127.0.0.1:8081/v1",
    defaultModel: "mlx-community/Qwen3-Coder-30B-A3B-Instruct-4bit",
    probeLocally: false,
    windowAdvice: "Pass --context-window in backends.mlx.serverArgs, or use a model with a longer context.",
  },
  lmstudio: {
    label: "LM Studio",
    baseUrl: "http://127.0.0.1:1234/v1",
    probeLocally: true,
    window: lmstudioWindow,
    inventory: lmstudioInventory,
    followsLoadedModel: true,
    windowAdvice: "Load the model with a larger context length (LM Studio: model settings → Context Length).",
  },
  ollama: {
    label: "Ollama",
    baseUrl: "http://127.0.0.1:11434/v1",
    probeLocally: true,
    window: ollamaWindow,
    inventory: ollamaInventory,
    windowAdvice: "Set OLLAMA_CONTEXT_LENGTH=32768 for `ollama serve`, or `PARAMETER num_ctx 32768` in the Modelfile.",
  },
  llamacpp: {
    label: "llama.cpp",
    baseUrl: "http://127.0.0.1:8080/v1",
    probeLocally: true,
    window: llamacppWindow,
    windowAdvice: "Start llama-server with a larger --ctx-size (e.g. -c 32768).",
  },
  vllm: {
    label: "vLLM",
    baseUrl: "http://127.0.0.1:8000/v1",
    probeLocally: true,
    windowAdvice: "Start vLLM with a larger --max-model-len.",
  },
  openrouter: {
    label: "OpenRouter",
    baseUrl: "https://openrouter.ai/api/v1",
    defaultModel: "qwen/qwen3-coder",
    probeLocally: false,
    // It lists its models without a key, then answers every message with 401.
    requiredKeyEnv: "OPENROUTER_API_KEY",
  },
  openai: { label: "OpenAI-compatible server", baseUrl: "http://127.0.0.1:8000/v1", probeLocally: false },
  claude: { label: "the Anthropic API", baseUrl: "https://api.anthropic.com", probeLocally: false },
};

/** How to give a server that needs a key its key; undefined when it needs none. */
export function missingKeyFix(mode: Mode): string | undefined {
  const env = SERVERS[mode].requiredKeyEnv;
  return env && `set ${env} (or pass --api-key, or backends.${mode}.apiKey)`;
}

const GENERIC_WINDOW_ADVICE = "Raise the server's context length.";

export const windowAdvice = (mode: Mode): string => SERVERS[mode].windowAdvice ?? GENERIC_WINDOW_ADVICE;

/** The servers looked for on their default ports, in order. */
export function localServers(): { mode: Mode; url: string }[] {
  return (Object.entries(SERVERS) as [Mode, ServerEntry][]).filter(([, s]) => s.probeLocally).map(([mode, s]) => ({ mode, url: s.baseUrl }));
}

/** "LM Studio 1234, Ollama 11434, …": for messages and the README. */
export function describeLocalServers(): string {
  return localServers()
    .map(({ mode, url }) => `${SERVERS[mode].label} ${new URL(url).port}`)
    .join(", ");
}
