// `doctor` and `models` against stand-ins for LM Studio and Ollama answering with real response
// bodies (test/fixtures/servers): what is loaded, the window really served, and the fix.
import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";
import { openAiList, serverFixture, type StandIn, startStandIn } from "../helpers/servers.ts";

const stops: StandIn[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.stop();
});

async function run(args: string[]) {
  const p = Bun.spawn([BUN, join(ROOT, "src/cli.ts"), ...args], { cwd: tempDir("cmd"), stdout: "pipe", stderr: "pipe", env: { PATH: `${join(ROOT, "node_modules/.bin")}:/usr/bin:/bin`, HOME: tempDir("home"), NO_COLOR: "1" } });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  // doctor pads names into a column: compare words, not padding.
  return { code: await p.exited, out: stdout + stderr, words: (stdout + stderr).replace(/^\[anyclaude\] /gm, "").replace(/ +/g, " ") };
}

function lmstudio(name: string): StandIn {
  const list = serverFixture(name).body as { data: { id: string }[] };
  const s = startStandIn({ "/api/v0/models": list, "/v1/models": openAiList(list.data.map((m) => m.id)) });
  stops.push(s);
  return s;
}

test("models marks what LM Studio has loaded and each model's window", async () => {
  const s = lmstudio("lmstudio-v0-models-gemma-3-4b-it-loaded");
  const r = await run(["models", "--mode", "lmstudio", "--base-url", s.url]);
  expect(r.code).toBe(0);
  expect(r.words.trim().split("\n")).toEqual(["gemma-3-4b-it (loaded, 4096 tokens, max 131072)", "text-embedding-nomic-embed-text-v1.5 (embeddings)"]);
});

test("doctor: LM Studio's loaded model, its loaded context too small, and LM Studio's own fix", async () => {
  const s = lmstudio("lmstudio-v0-models-gemma-3-4b-loaded");
  const r = await run(["doctor", "--mode", "lmstudio", "--base-url", s.url]);
  expect(r.words).toContain("✓ model google/gemma-3-4b (loaded); 1 listed\n");
  expect(r.words).toContain(
    "✗ context window 12918 tokens (the model allows 131072)\n" +
      " fix: lmstudio serves google/gemma-3-4b with a 12918-token context window (the model allows 131072); Claude Code's system prompt and tools alone take about 15k tokens. Load the model with a larger context length (LM Studio: model settings → Context Length).\n",
  );
  expect(r.code).toBe(1);
});

test("doctor: LM Studio with nothing loaded says to load a model, not to pick an embedding", async () => {
  const s = lmstudio("lmstudio-v0-models-none-loaded");
  const r = await run(["doctor", "--mode", "lmstudio", "--base-url", s.url]);
  expect(r.words).toContain("✗ model none loaded; 3 listed\n fix: load one in LM Studio (e.g. qwen2-vl-7b-instruct), or pass --model\n");
  expect(r.code).toBe(1);
});

test("doctor: Ollama without num_ctx reports the default it will allocate, not the model's maximum", async () => {
  const s = startStandIn({ "/v1/models": serverFixture("ollama-v1-models").body, "/api/ps": { models: [] }, "/api/show": serverFixture("ollama-api-show-llama3").body });
  stops.push(s);
  const r = await run(["doctor", "--mode", "ollama", "--base-url", s.url]);
  expect(r.words).toContain(
    "✗ context window 4096 tokens assumed (the server's default until the model is loaded; the model allows 8192)\n" +
      " fix: Ollama is not running test-model yet and it sets no num_ctx, so it will get the server's default context, 4096 tokens unless the server was started with more (the model allows 8192); Claude Code's system prompt and tools alone take about 15k tokens. Set OLLAMA_CONTEXT_LENGTH=32768 for `ollama serve`, or `PARAMETER num_ctx 32768` in the Modelfile.\n",
  );
  expect(r.code).toBe(1);
});
