// Each server's own context-window endpoint, served by a stand-in on 127.0.0.1.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible.ts";
import { PROFILES, type ProfileName } from "../../src/backends/profiles.ts";
import { quietLogger } from "../helpers/proxy.ts";

let server: ReturnType<typeof Bun.serve>;
beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/v1/models") return Response.json({ data: [{ id: "qwen3-coder" }, { id: "other" }] });
      if (path === "/api/v0/models") return Response.json({ data: [{ id: "other", state: "not-loaded", max_context_length: 131072 }, { id: "qwen3-coder", state: "loaded", loaded_context_length: 40960, max_context_length: 262144 }] });
      if (path === "/api/show") {
        const body = (await req.json()) as { model: string };
        return Response.json(body.model === "qwen3-coder" ? { parameters: "temperature 0.7\nnum_ctx 65536", model_info: { "qwen3.context_length": 262144 } } : { model_info: { "llama.context_length": 8192 } });
      }
      if (path === "/props") return Response.json({ default_generation_settings: { n_ctx: 16384 } });
      return new Response("not found", { status: 404 });
    },
  });
});
afterAll(() => server.stop(true));

const describeWith = (profile: ProfileName, model?: string) =>
  new OpenAICompatibleBackend({ profile: PROFILES[profile], baseUrl: `http://127.0.0.1:${server.port}/v1`, logger: quietLogger() }).describe(AbortSignal.timeout(2000), model);

const cases: [ProfileName, string | undefined, number | undefined][] = [
  ["lmstudio", "qwen3-coder", 40960], // the loaded context, not the maximum
  ["ollama", "qwen3-coder", 65536], // num_ctx wins over the architecture maximum
  ["ollama", "other", 8192],
  ["llamacpp", undefined, 16384],
  ["openai", "qwen3-coder", undefined],
];
for (const [profile, model, want] of cases) {
  test(`${profile}${model ? ` (${model})` : ""}: context window ${want ?? "unknown"}`, async () => {
    const info = await describeWith(profile, model);
    expect(info.models.map((m) => m.id)).toEqual(["qwen3-coder", "other"]);
    expect(info.contextWindow).toBe(want as never);
  });
}
