// How a server tells the context window it runs a model with. Best effort: a probe that fails
// returns undefined and the caller falls back to /v1/models fields or the config.
import * as v from "valibot";

/** GET or POST a path under the server's root (no /v1), with the backend's headers. */
export type ServerFetch = (path: string, init?: RequestInit) => Promise<Response>;

export interface ContextWindow {
  tokens: number;
  /**
   * served: the server reports it for the model as loaded or configured; parameter: the model's
   * own setting (Ollama num_ctx), applied when it loads; assumed: the server's default, which the
   * server does not report until the model is loaded (never enforced, only warned about).
   */
  basis: "served" | "parameter" | "assumed";
  /** The model's own maximum, when the server tells it and it is larger. */
  maximum?: number;
}

export type WindowProbe = (model: string, get: ServerFetch) => Promise<ContextWindow | undefined>;

export const positive = v.pipe(v.number(), v.integer(), v.minValue(1));

/** The body as `schema` describes it, or undefined when the server answers otherwise. */
export async function readJson<S extends v.GenericSchema>(res: Response, schema: S): Promise<v.InferOutput<S> | undefined> {
  if (!res.ok) return undefined;
  const parsed = v.safeParse(schema, await res.json().catch(() => undefined));
  return parsed.success ? parsed.output : undefined;
}

const LlamaPropsSchema = v.looseObject({
  n_ctx: v.optional(positive),
  default_generation_settings: v.optional(v.looseObject({ n_ctx: v.optional(positive) })),
});

/** llama.cpp: /props → default_generation_settings.n_ctx (what -c allocated per slot). */
export const llamacppWindow: WindowProbe = async (_model, get) => {
  const body = await readJson(await get("/props"), LlamaPropsSchema);
  const tokens = body?.default_generation_settings?.n_ctx ?? body?.n_ctx;
  return tokens ? { tokens, basis: "served" } : undefined;
};

/** Runs a probe against `root`; any failure means "the server did not say". */
export async function probeWindow(probe: WindowProbe | undefined, model: string, root: string, headers: Record<string, string>, signal: AbortSignal): Promise<ContextWindow | undefined> {
  if (!probe) return undefined;
  try {
    return await probe(model, serverFetch(root, headers, signal));
  } catch {
    return undefined;
  }
}

export function serverFetch(root: string, headers: Record<string, string>, signal: AbortSignal): ServerFetch {
  return (path, init) => fetch(`${root}${path}`, { ...init, headers: { ...headers, ...(init?.headers as Record<string, string>) }, signal });
}
