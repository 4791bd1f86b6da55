// Where each server tells its context window (issue: context windows). Best effort: a probe that
// fails returns undefined and the caller falls back to /v1/models fields or the config.
import type { ProfileName } from "./profiles.ts";

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;
type Probe = (model: string, get: Fetch) => Promise<number | undefined>;

const num = (x: unknown) => (typeof x === "number" && x > 0 ? x : undefined);

async function json(res: Response): Promise<Record<string, unknown> | undefined> {
  return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
}

const PROBES: Partial<Record<ProfileName, Probe>> = {
  // LM Studio: /api/v0/models lists loaded_context_length (what is in effect) and the maximum.
  lmstudio: async (model, get) => {
    const body = await json(await get("/api/v0/models"));
    const list = (body?.data ?? []) as Record<string, unknown>[];
    const m = list.find((x) => x.id === model) ?? list.find((x) => x.state === "loaded") ?? list[0];
    return num(m?.loaded_context_length) ?? num(m?.max_context_length);
  },
  // Ollama: the model's num_ctx parameter, else <arch>.context_length from model_info.
  ollama: async (model, get) => {
    const body = await json(await get("/api/show", { method: "POST", body: JSON.stringify({ model }) }));
    const params = String(body?.parameters ?? "");
    const numCtx = /num_ctx\s+(\d+)/.exec(params)?.[1];
    if (numCtx) return Number(numCtx);
    const info = (body?.model_info ?? {}) as Record<string, unknown>;
    return num(Object.entries(info).find(([k]) => k.endsWith(".context_length"))?.[1]);
  },
  // llama.cpp: /props → default_generation_settings.n_ctx.
  llamacpp: async (_model, get) => {
    const body = await json(await get("/props"));
    const settings = (body?.default_generation_settings ?? {}) as Record<string, unknown>;
    return num(settings.n_ctx) ?? num(body?.n_ctx);
  },
};

export async function probeContextWindow(profile: ProfileName, model: string, root: string, headers: Record<string, string>, signal: AbortSignal): Promise<number | undefined> {
  const probe = PROBES[profile];
  if (!probe) return undefined;
  try {
    return await probe(model, (path, init) => fetch(`${root}${path}`, { ...init, headers: { ...headers, ...(init?.headers as Record<string, string>) }, signal }));
  } catch {
    return undefined;
  }
}
