// What an OpenAI-compatible server serves: /v1/models, merged with the server's own model list
// (loaded state, kinds, windows) and the window it runs the described model with.
import * as v from "valibot";
import { mapUpstreamError } from "../translate/errors.ts";
import { preferredModel } from "./choose-model.ts";
import { probeWindow, serverFetch } from "./context-probes.ts";
import type { ServerEntry } from "./servers.ts";
import type { BackendInfo, ModelInfo } from "./types.ts";

const ModelsSchema = v.looseObject({ data: v.optional(v.array(v.looseObject({ id: v.pipe(v.unknown(), v.transform(String)) }))) });

/** vLLM max_model_len, MLX/OpenRouter context fields: the window the server serves. */
function listedWindow(m: Record<string, unknown>): number | undefined {
  const ctx = m.max_model_len ?? m.context_length ?? m.context_window ?? m.max_context_length;
  return typeof ctx === "number" && ctx > 0 ? ctx : undefined;
}

export interface DescribeOptions {
  name: string;
  /** The OpenAI-compatible root (…/v1). */
  baseUrl: string;
  server: ServerEntry | undefined;
  headers: Record<string, string>;
  signal: AbortSignal;
  model?: string;
}

export async function describeServer({ name, baseUrl, server, headers, signal, model }: DescribeOptions): Promise<BackendInfo> {
  const url = baseUrl.replace(/\/+$/, "");
  const res = await fetch(`${url}/models`, { headers, signal });
  if (!res.ok) throw mapUpstreamError(res.status, await res.text(), name);
  const parsed = v.safeParse(ModelsSchema, await res.json().catch(() => undefined));
  const listed: ModelInfo[] = (parsed.success ? (parsed.output.data ?? []) : []).map((m) => {
    const ctx = listedWindow(m);
    return { id: m.id, ...(ctx ? { contextWindow: ctx } : {}) };
  });
  const root = url.replace(/\/v1$/, "");
  const get = serverFetch(root, headers, signal);
  const own = server?.inventory ? await server.inventory(get).catch(() => undefined) : undefined;
  const models = merge(listed, own ?? []);
  const chosen = model ?? preferredModel(models)?.id;
  const window = chosen ? await probeWindow(server?.window, chosen, root, headers, signal) : undefined;
  return { name, baseUrl: url, models, ...(window ? { window } : {}) };
}

/** /v1/models order, enriched by the server's own list; models only the server's list has come last. */
function merge(listed: ModelInfo[], own: ModelInfo[]): ModelInfo[] {
  const byId = new Map(own.map((m) => [m.id, m]));
  const out = listed.map((m) => {
    const o = byId.get(m.id);
    if (!o) return m;
    // A model the server says is not loaded serves no window yet, whatever /v1/models lists.
    const { contextWindow, ...rest } = m;
    return o.loaded === false ? { ...rest, ...o } : { ...m, ...o, ...(o.contextWindow ?? contextWindow ? { contextWindow: o.contextWindow ?? contextWindow } : {}) };
  });
  const seen = new Set(listed.map((m) => m.id));
  return [...out, ...own.filter((m) => !seen.has(m.id))];
}
