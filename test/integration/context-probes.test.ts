// What each server says about its models and their windows, from real response bodies
// (test/fixtures/servers) served by a stand-in on 127.0.0.1.
import { afterEach, expect, test } from "bun:test";
import { chooseModel } from "../../src/backends/choose-model.ts";
import type { ContextWindow } from "../../src/backends/context-probes.ts";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible.ts";
import { PROFILES, type ProfileName } from "../../src/backends/profiles.ts";
import { quietLogger } from "../helpers/proxy.ts";
import { openAiList, serverFixture, type StandIn, startStandIn } from "../helpers/servers.ts";

const stops: StandIn[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.stop();
});

const body = (name: string) => serverFixture(name).body;
const lmstudio = (name: string) => {
  const list = body(name) as { data: { id: string }[] };
  return { "/api/v0/models": list, "/v1/models": openAiList(list.data.map((m) => m.id)) };
};
const ollama = (show: string, ps: unknown = { models: [] }) => ({ "/v1/models": openAiList(["gemma4:latest", "llama3:latest"]), "/api/show": body(show), "/api/ps": ps });

interface Case {
  name: string;
  profile: ProfileName;
  routes: Record<string, unknown>;
  model?: string;
  /** chooseModel's pick when none is configured */
  chosen: string | undefined;
  window: ContextWindow | undefined;
}

const cases: Case[] = [
  { name: "LM Studio, nothing loaded: no model chosen, no window", profile: "lmstudio", routes: lmstudio("lmstudio-v0-models-none-loaded"), chosen: undefined, window: undefined },
  { name: "LM Studio: the loaded model and its loaded context", profile: "lmstudio", routes: lmstudio("lmstudio-v0-models-gemma-3-4b-loaded"), chosen: "google/gemma-3-4b", window: { tokens: 12918, basis: "served", maximum: 131072 } },
  { name: "LM Studio: the loaded LLM, never the embedding model", profile: "lmstudio", routes: lmstudio("lmstudio-v0-models-gemma-3-4b-it-loaded"), chosen: "gemma-3-4b-it", window: { tokens: 4096, basis: "served", maximum: 131072 } },
  { name: "LM Studio: a configured model that is not loaded has no window yet", profile: "lmstudio", routes: lmstudio("lmstudio-v0-models-none-loaded"), model: "meta-llama-3.1-8b-instruct", chosen: "meta-llama-3.1-8b-instruct", window: undefined },
  { name: "Ollama, loaded: the context /api/ps says it allocated", profile: "ollama", routes: ollama("ollama-api-show-gemma4", body("ollama-api-ps-gemma4")), model: "gemma4:latest", chosen: "gemma4:latest", window: { tokens: 4096, basis: "served", maximum: 131072 } },
  { name: "Ollama, not loaded, num_ctx set: that parameter", profile: "ollama", routes: ollama("ollama-api-show-gemma4"), model: "gemma4:latest", chosen: "gemma4:latest", window: { tokens: 2048, basis: "parameter", maximum: 131072 } },
  { name: "Ollama, not loaded, no num_ctx: the default, assumed (not the model's maximum)", profile: "ollama", routes: ollama("ollama-api-show-llama3"), model: "llama3:latest", chosen: "llama3:latest", window: { tokens: 4096, basis: "assumed", maximum: 8192 } },
  { name: "llama.cpp: /props n_ctx", profile: "llamacpp", routes: { "/v1/models": openAiList(["qwen3"]), "/props": { default_generation_settings: { n_ctx: 16384 } } }, chosen: "qwen3", window: { tokens: 16384, basis: "served" } },
  { name: "a plain OpenAI server tells nothing", profile: "openai", routes: { "/v1/models": openAiList(["m"]) }, chosen: "m", window: undefined },
];

for (const c of cases) {
  test(c.name, async () => {
    const server = startStandIn(c.routes);
    stops.push(server);
    const backend = new OpenAICompatibleBackend({ profile: PROFILES[c.profile], baseUrl: server.url, logger: quietLogger() });
    const info = await backend.describe(AbortSignal.timeout(2000), c.model);
    expect(info.window).toEqual(c.window as never);
    const choice = chooseModel(info, c.model);
    expect(choice.model).toBe(c.chosen as never);
    // Only what the server serves is enforced; an assumed default is only warned about.
    expect(choice.contextWindow).toBe((c.window && c.window.basis !== "assumed" ? c.window.tokens : undefined) as never);
  });
}

test("Ollama: the model /api/ps holds is marked loaded, with its allocated context, and chosen first", async () => {
  const server = startStandIn(ollama("ollama-api-show-gemma4", body("ollama-api-ps-gemma4")));
  stops.push(server);
  const info = await new OpenAICompatibleBackend({ profile: PROFILES.ollama, baseUrl: server.url, logger: quietLogger() }).describe(AbortSignal.timeout(2000));
  expect(info.models).toEqual([{ id: "gemma4:latest", loaded: true, contextWindow: 4096 }, { id: "llama3:latest" }]);
  expect(chooseModel(info).model).toBe("gemma4:latest");
});

test("LM Studio: every model carries its load state, kind and windows", async () => {
  const server = startStandIn(lmstudio("lmstudio-v0-models-gemma-3-4b-it-loaded"));
  stops.push(server);
  const info = await new OpenAICompatibleBackend({ profile: PROFILES.lmstudio, baseUrl: server.url, logger: quietLogger() }).describe(AbortSignal.timeout(2000));
  expect(info.models).toEqual([
    { id: "gemma-3-4b-it", loaded: true, kind: "vlm", contextWindow: 4096, maxContextWindow: 131072 },
    { id: "text-embedding-nomic-embed-text-v1.5", loaded: false, kind: "embeddings" },
  ]);
});
