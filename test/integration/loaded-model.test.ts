// The proxy as launch starts it (startProxy), against stand-ins for LM Studio and Ollama that
// answer with real response bodies: which model answers, with which window, and what the log says.
import { afterEach, expect, test } from "bun:test";
import { createConsola, type LogObject } from "consola";
import { type RunningProxy, startProxy } from "../../src/cli/start-proxy.ts";
import { resolveConfig } from "../../src/config/load.ts";
import { openAiList, serverFixture, type StandIn, startStandIn } from "../helpers/servers.ts";

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function capturingLogger() {
  const lines: string[] = [];
  const logger = createConsola({ level: 3, reporters: [{ log: (o: LogObject) => void lines.push(`${o.type}: ${o.args.join(" ")}`) }] });
  return { logger, lines };
}

/** The config for `--mode <mode> --base-url <url>`, reading no file. */
const configFor = (mode: "lmstudio" | "ollama", baseUrl: string, extra: { model?: string } = {}) =>
  resolveConfig({ cwd: "/repo", home: "/home", env: {}, flags: { mode, baseUrl, port: 0, ...extra }, platform: "linux", arch: "x64", readFile: () => undefined });

async function proxyFor(mode: "lmstudio" | "ollama", server: StandIn, logger: ReturnType<typeof capturingLogger>["logger"], extra: { model?: string } = {}): Promise<RunningProxy> {
  const config = configFor(mode, server.url, extra);
  const proxy = await startProxy(config, mode, logger, { requiredApiKey: "proxy-launch-key", loadedModelTtlMs: 0 });
  cleanup.push(() => proxy.stop());
  return proxy;
}

const ask = (proxy: RunningProxy, content: string) =>
  fetch(`${proxy.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer proxy-launch-key" },
    body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 100, messages: [{ role: "user", content }] }),
  });

const lmstudioRoutes = (name: string) => {
  const list = serverFixture(name).body as { data: { id: string }[] };
  return { "/api/v0/models": list, "/v1/models": openAiList(list.data.map((m) => m.id)) };
};

test("LM Studio: requests follow the model the user loads, with its window, and the log says so", async () => {
  const server = startStandIn(lmstudioRoutes("lmstudio-v0-models-gemma-3-4b-loaded"));
  cleanup.push(() => server.stop());
  const { logger, lines } = capturingLogger();
  const proxy = await proxyFor("lmstudio", server, logger);
  expect(proxy.model).toBe("google/gemma-3-4b");
  expect(proxy.contextWindow).toBe(12918);
  expect(lines).toContain("info: using lmstudio model google/gemma-3-4b (loaded in LM Studio)");

  // About 6k tokens: fits the 12918-token context, not the 4096 one loaded next.
  const prompt = "hello world ".repeat(3000);
  expect((await ask(proxy, prompt)).status).toBe(200);

  // The user loads another model in LM Studio while anyclaude runs.
  Object.assign(server.routes, lmstudioRoutes("lmstudio-v0-models-gemma-3-4b-it-loaded"));
  expect((await ask(proxy, "hi")).status).toBe(200);
  expect(server.chats.map((c) => c.model)).toEqual(["google/gemma-3-4b", "gemma-3-4b-it"]);
  expect(lines).toContain("info: LM Studio has gemma-3-4b-it loaded (4096-token context); requests now go to it");

  const tooLong = await ask(proxy, prompt);
  expect(tooLong.status).toBe(400);
  expect(((await tooLong.json()) as { error: { message: string } }).error.message).toMatch(/^prompt is too long: \d+ tokens > 4096 maximum$/);
  expect(server.chats).toHaveLength(2);
});

test("LM Studio with nothing loaded: no model is made up, and the log says what to do", async () => {
  const server = startStandIn(lmstudioRoutes("lmstudio-v0-models-none-loaded"));
  cleanup.push(() => server.stop());
  const { logger, lines } = capturingLogger();
  const proxy = await proxyFor("lmstudio", server, logger);
  expect(proxy.model).toBe("default");
  expect(proxy.contextWindow).toBeUndefined();
  expect(lines).toContain("warn: LM Studio has no model loaded; load one, or pass --model");

  // Then the user loads one: it answers, and its window holds although none was known at start.
  Object.assign(server.routes, lmstudioRoutes("lmstudio-v0-models-gemma-3-4b-it-loaded"));
  expect((await ask(proxy, "hi")).status).toBe(200);
  expect(server.chats.map((c) => c.model)).toEqual(["gemma-3-4b-it"]);
  expect((await ask(proxy, "hello world ".repeat(3000))).status).toBe(400);
});

test("Ollama without num_ctx: launch warns with the default it will really get and how to raise it", async () => {
  const server = startStandIn({ "/v1/models": serverFixture("ollama-v1-models").body, "/api/ps": { models: [] }, "/api/show": serverFixture("ollama-api-show-llama3").body });
  cleanup.push(() => server.stop());
  const { logger, lines } = capturingLogger();
  const proxy = await proxyFor("ollama", server, logger);
  expect(proxy.model).toBe("test-model");
  // The assumed default is never enforced: the proxy does not refuse what Ollama may accept.
  expect(proxy.contextWindow).toBeUndefined();
  expect(lines).toContain(
    "warn: Ollama is not running test-model yet and it sets no num_ctx, so it will get the server's default context, 4096 tokens unless the server was started with more (the model allows 8192); " +
      "Claude Code's system prompt and tools alone take about 15k tokens. Set OLLAMA_CONTEXT_LENGTH=32768 for `ollama serve`, or `PARAMETER num_ctx 32768` in the Modelfile.",
  );
});

test("Ollama loaded with a small context: launch warns with what /api/ps says it allocated", async () => {
  const server = startStandIn({ "/v1/models": openAiList(["gemma4:latest"]), "/api/ps": serverFixture("ollama-api-ps-gemma4").body, "/api/show": serverFixture("ollama-api-show-gemma4").body });
  cleanup.push(() => server.stop());
  const { logger, lines } = capturingLogger();
  const proxy = await proxyFor("ollama", server, logger);
  expect(proxy.contextWindow).toBe(4096);
  expect(lines).toContain(
    "warn: ollama serves gemma4:latest with a 4096-token context window (the model allows 131072); Claude Code's system prompt and tools alone take about 15k tokens. " +
      "Set OLLAMA_CONTEXT_LENGTH=32768 for `ollama serve`, or `PARAMETER num_ctx 32768` in the Modelfile.",
  );
});

test('Ollama with "protocol": "anthropic": the window is learnt the same way, and the launch key never goes upstream', async () => {
  const server = startStandIn({ "/v1/models": openAiList(["gemma4:latest"]), "/api/ps": serverFixture("ollama-api-ps-gemma4").body, "/api/show": serverFixture("ollama-api-show-gemma4").body });
  cleanup.push(() => server.stop());
  const { logger } = capturingLogger();
  const base = configFor("ollama", server.url);
  const config = { ...base, backends: { ...base.backends, ollama: { ...base.backends.ollama, protocol: "anthropic" as const } } };
  const proxy = await startProxy(config, "ollama", logger, { requiredApiKey: "proxy-launch-key" });
  cleanup.push(() => proxy.stop());
  expect(proxy.contextWindow).toBe(4096);
  expect((await ask(proxy, "hi")).status).toBe(200);
  expect(server.chats).toEqual([{ model: "gemma4:latest", authorization: null, path: "/v1/messages" }]);
});
