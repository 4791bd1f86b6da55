// Which model answers and how large its window is: the configured values first, else what the
// backend reports (its first listed model; its probed or listed context window).
import type { BackendInfo } from "./types.ts";

export interface ModelChoice {
  model: string | undefined;
  contextWindow: number | undefined;
  /** The model came from the server's list, not the config. */
  fromServer: boolean;
}

export function chooseModel(info: BackendInfo | null, configuredModel?: string, configuredWindow?: number): ModelChoice {
  const model = configuredModel ?? info?.models[0]?.id;
  const listed = info?.models.find((m) => m.id === model)?.contextWindow;
  return { model, contextWindow: configuredWindow ?? info?.contextWindow ?? listed, fromServer: !configuredModel && model !== undefined };
}
