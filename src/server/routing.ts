// Model routing: which backend model answers a given Claude model id. Unmapped ids never fail.

export interface Routing {
  /** The main backend model. */
  model: string;
  /** For Claude Code's background haiku-class requests (titles, summaries). */
  smallModel?: string;
  /** Explicit Claude model id → backend model. */
  models?: Record<string, string>;
}

export function routeModel(claudeModel: string, routing: Routing): string {
  const explicit = routing.models?.[claudeModel];
  if (explicit) return explicit;
  if (routing.smallModel && /haiku/i.test(claudeModel)) return routing.smallModel;
  return routing.model;
}
