// Ollama's own endpoints: /api/ps (running models and the context each was allocated) and
// /api/show (the model's num_ctx parameter and its architecture maximum). Shapes: ollama/ollama
// api/types.go (ProcessModelResponse, ShowResponse) and docs/openapi.yaml; fixtures in
// test/fixtures/servers/ollama-*.json.
import * as v from "valibot";
import { type ContextWindow, positive, readJson, type ServerFetch, type WindowProbe } from "./context-probes.ts";
import type { ModelInfo } from "./types.ts";

/**
 * The context Ollama gives a model without num_ctx. envconfig's OLLAMA_CONTEXT_LENGTH default
 * went 2048 → 4096 → 0 ("4k/32k/256k based on VRAM", docs/context-length.mdx). Which tier a
 * server uses is not visible until a model is loaded, so we assume the smallest current tier
 * (under 24 GiB of VRAM): 4096. It is only ever warned about, never enforced.
 */
export const OLLAMA_ASSUMED_DEFAULT_CONTEXT = 4096;

const PsSchema = v.looseObject({
  models: v.array(v.looseObject({ name: v.string(), model: v.optional(v.string()), context_length: v.optional(v.number()) })),
});
const ShowSchema = v.looseObject({
  parameters: v.optional(v.string()),
  model_info: v.optional(v.record(v.string(), v.unknown())),
});

/** "gemma4" and "gemma4:latest" name the same model. */
const tagged = (name: string) => (name.includes(":") ? name : `${name}:latest`);
const sameModel = (a: string, b: string) => tagged(a) === tagged(b);

async function running(get: ServerFetch) {
  return (await readJson(await get("/api/ps"), PsSchema))?.models ?? [];
}

/** Models Ollama holds in memory, with the context each was allocated; ids as /v1/models spells them (name:tag). */
export async function ollamaInventory(get: ServerFetch): Promise<ModelInfo[] | undefined> {
  return (await running(get)).map((m) => ({
    id: tagged(m.model ?? m.name),
    loaded: true,
    ...(m.context_length && m.context_length > 0 ? { contextWindow: m.context_length } : {}),
  }));
}

function maximumOf(info: Record<string, unknown> | undefined): number | undefined {
  const arch = info?.["general.architecture"];
  const value = (typeof arch === "string" ? info?.[`${arch}.context_length`] : undefined) ?? Object.entries(info ?? {}).find(([k]) => k.endsWith(".context_length"))?.[1];
  return v.is(positive, value) ? value : undefined;
}

/**
 * The window Ollama runs `model` with: what /api/ps says it allocated when the model is loaded;
 * else its num_ctx parameter; else Ollama's default (assumed). model_info's context_length is
 * only the architecture's maximum, which Ollama does not allocate by default.
 */
export const ollamaWindow: WindowProbe = async (model, get) => {
  const [ps, show] = await Promise.all([
    running(get).catch(() => []),
    get("/api/show", { method: "POST", body: JSON.stringify({ model }) }).then((r) => readJson(r, ShowSchema)),
  ]);
  const maximum = maximumOf(show?.model_info);
  const withMax = (w: ContextWindow): ContextWindow => (maximum && maximum > w.tokens ? { ...w, maximum } : w);
  const allocated = ps.find((m) => sameModel(m.model ?? m.name, model) || sameModel(m.name, model))?.context_length;
  if (allocated && allocated > 0) return withMax({ tokens: allocated, basis: "served" });
  if (!show) return undefined;
  const numCtx = /(?:^|\n)num_ctx\s+(\d+)/.exec(show.parameters ?? "")?.[1];
  // Ollama never allocates more than the model was trained for (server/sched.go).
  const capped = (n: number) => (maximum ? Math.min(n, maximum) : n);
  if (numCtx) return withMax({ tokens: capped(Number(numCtx)), basis: "parameter" });
  return withMax({ tokens: capped(OLLAMA_ASSUMED_DEFAULT_CONTEXT), basis: "assumed" });
};
