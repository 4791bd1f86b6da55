// Which model answers and how large its window is: the configured values first, else what the
// backend reports (the loaded model, else the first one listed; its served window).
import type { ContextWindow } from "./context-probes.ts";
import type { BackendInfo, ModelInfo } from "./types.ts";

export interface ModelChoice {
  model: string | undefined;
  /** The window the proxy enforces: configured, or what the server serves the model with. */
  contextWindow: number | undefined;
  /** What the server said about the window, including an assumed default (never enforced). */
  window: ContextWindow | undefined;
  /** The model came from the server, not the config: "loaded" or "listed". */
  fromServer?: "loaded" | "listed";
}

/**
 * The model to use when none is configured: a loaded one, else the first listed, never an
 * embedding model and never one the server says is only downloaded (LM Studio would answer
 * "no model loaded", or load it behind the user's back with JIT loading).
 */
export function preferredModel(models: ModelInfo[]): ModelInfo | undefined {
  const usable = models.filter((m) => m.kind !== "embeddings");
  return usable.find((m) => m.loaded === true) ?? usable.find((m) => m.loaded === undefined);
}

export function chooseModel(info: BackendInfo | null, configuredModel?: string, configuredWindow?: number): ModelChoice {
  const preferred = configuredModel ? undefined : preferredModel(info?.models ?? []);
  const model = configuredModel ?? preferred?.id;
  const listed = info?.models.find((m) => m.id === model)?.contextWindow;
  const window = info?.window ?? (listed ? { tokens: listed, basis: "served" as const } : undefined);
  const served = window && window.basis !== "assumed" ? window.tokens : undefined;
  return {
    model,
    contextWindow: configuredWindow ?? served,
    window: configuredWindow ? undefined : window,
    ...(preferred ? { fromServer: preferred.loaded ? ("loaded" as const) : ("listed" as const) } : {}),
  };
}
