// Model routing: which backend model answers a given Claude model id. Unmapped ids never fail.
import type { LoadedModel } from "../backends/loaded-model.ts";

export interface Routing {
  /** The main backend model. */
  model: string;
  /** The model the server has loaded right now, replacing `model` when it answers (LM Studio, no model configured). */
  loaded?: () => Promise<LoadedModel | undefined>;
  /** For Claude Code's background haiku-class requests (titles, summaries). */
  smallModel?: string;
  /** Explicit Claude model id → backend model. */
  models?: Record<string, string>;
}

export function routeModel(claudeModel: string, routing: Routing, main = routing.model): string {
  const explicit = routing.models?.[claudeModel];
  if (explicit) return explicit;
  if (routing.smallModel && /haiku/i.test(claudeModel)) return routing.smallModel;
  return main;
}
