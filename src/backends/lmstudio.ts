// LM Studio's own model list (/api/v0/models, LM Studio ≥ 0.3.6): which models are loaded, of
// which type, with what context. Shape: lmstudio.ai/docs/developer/rest/endpoints and the bodies in
// test/fixtures/servers/lmstudio-*.json.
import * as v from "valibot";
import { type ContextWindow, positive, readJson, type ServerFetch, type WindowProbe } from "./context-probes.ts";
import type { ModelInfo } from "./types.ts";

const EntrySchema = v.looseObject({
  id: v.string(),
  /** "llm" | "vlm" | "embeddings" */
  type: v.optional(v.string()),
  /** "loaded" | "not-loaded" */
  state: v.optional(v.string()),
  max_context_length: v.optional(positive),
  /** Only on loaded models: the context length they were loaded with. */
  loaded_context_length: v.optional(positive),
});
const ListSchema = v.looseObject({ data: v.array(v.unknown()) });

type Entry = v.InferOutput<typeof EntrySchema>;

async function entries(get: ServerFetch): Promise<Entry[] | undefined> {
  const list = await readJson(await get("/api/v0/models"), ListSchema);
  if (!list) return undefined;
  // One odd entry must not hide the others.
  return list.data.flatMap((e) => {
    const parsed = v.safeParse(EntrySchema, e);
    return parsed.success ? [parsed.output] : [];
  });
}

const kindOf = (type: string | undefined): ModelInfo["kind"] => (type === "llm" || type === "vlm" || type === "embeddings" ? type : undefined);

export async function lmstudioInventory(get: ServerFetch): Promise<ModelInfo[] | undefined> {
  return (await entries(get))?.map((e) => {
    const loaded = e.state === "loaded";
    const kind = kindOf(e.type);
    return {
      id: e.id,
      loaded,
      ...(kind ? { kind } : {}),
      ...(loaded && e.loaded_context_length ? { contextWindow: e.loaded_context_length } : {}),
      ...(e.max_context_length ? { maxContextWindow: e.max_context_length } : {}),
    };
  });
}

/** The loaded context of `model`; a model that is not loaded has no window yet. */
export const lmstudioWindow: WindowProbe = async (model, get) => {
  const entry = (await entries(get))?.find((e) => e.id === model && e.state === "loaded");
  if (!entry?.loaded_context_length) return undefined;
  const max = entry.max_context_length;
  const window: ContextWindow = { tokens: entry.loaded_context_length, basis: "served" };
  return max && max > window.tokens ? { ...window, maximum: max } : window;
};
