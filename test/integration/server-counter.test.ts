// Counting with the server's tokenizer (llama.cpp and vLLM /tokenize), and falling back to
// gpt-tokenizer whenever that fails, so no request fails because of it.
// The fake servers follow the real handlers: llama.cpp tools/server/server.cpp (post_tokenize:
// body {content, add_special, parse_special, with_pieces} → {"tokens": [ids]}) and vLLM
// vllm/entrypoints/openai/protocol.py (TokenizeCompletionRequest {model, prompt,
// add_special_tokens} → TokenizeResponse {count, max_model_len, tokens}).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { counterFor, serverCounter } from "../../src/context/server-counter.ts";
import { localCounter } from "../../src/context/text-counter.ts";
import type { Listening } from "../../src/runtime/serve.ts";
import { textReply } from "../helpers/chunks.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

type Mode = "ok" | "error" | "stall" | "missing";
interface FakeTokenizer {
  url: string;
  bodies: Record<string, unknown>[];
  mode: Mode;
  stop(): Promise<void>;
}

/** A different tokenizer from ours on purpose: one token per 3 UTF-8 bytes, rounded up. */
const fakeCount = (text: string) => Math.ceil(new TextEncoder().encode(text).length / 3);

function startTokenizer(api: "llamacpp" | "vllm"): FakeTokenizer {
  const state: FakeTokenizer = { url: "", bodies: [], mode: "ok", stop: async () => {} };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      if (new URL(req.url).pathname !== "/tokenize" || state.mode === "missing") return new Response("Not Found", { status: 404 });
      const body = (await req.json()) as Record<string, unknown>;
      state.bodies.push(body);
      if (state.mode === "error") return Response.json({ error: { code: 500, message: "tokenizer crashed", type: "server_error" } }, { status: 500 });
      if (state.mode === "stall") await Bun.sleep(5000);
      const text = String(api === "llamacpp" ? body.content : body.prompt);
      const tokens = Array.from({ length: fakeCount(text) }, (_, i) => i + 100);
      return Response.json(api === "llamacpp" ? { tokens } : { count: tokens.length, max_model_len: 32768, tokens });
    },
  });
  state.url = `http://127.0.0.1:${server.port}`;
  state.stop = async () => void (await server.stop(true));
  return state;
}

const TEXTS = ["You are Claude Code.", "", "read the file src/index.ts and fix the bug", "漢字とemoji 😀"];
const plain = (t: string) => countTokens(t, { disallowedSpecial: new Set() });

let llama: FakeTokenizer;
let vllm: FakeTokenizer;
beforeAll(() => {
  llama = startTokenizer("llamacpp");
  vllm = startTokenizer("vllm");
});
afterAll(async () => {
  await llama.stop();
  await vllm.stop();
});

describe("the server's tokenizer counts", () => {
  test("llama.cpp: /tokenize at the server root, specials as text", async () => {
    llama.mode = "ok";
    llama.bodies.length = 0;
    const counter = counterFor("llamacpp", `${llama.url}/v1`, "m", undefined, localCounter());
    expect(await counter.count(TEXTS)).toEqual({ tokens: TEXTS.map((t) => (t ? fakeCount(t) : 0)), by: "llama.cpp /tokenize" });
    expect(llama.bodies).toContainEqual({ content: TEXTS[0], add_special: false, parse_special: false });
  });

  test("vLLM: the model is named, its count is used", async () => {
    vllm.mode = "ok";
    vllm.bodies.length = 0;
    const counter = counterFor("vllm", `${vllm.url}/v1`, "Qwen/Qwen3-Coder", undefined, localCounter());
    expect(await counter.count(TEXTS)).toEqual({ tokens: TEXTS.map((t) => (t ? fakeCount(t) : 0)), by: "vLLM /tokenize" });
    expect(vllm.bodies).toContainEqual({ model: "Qwen/Qwen3-Coder", prompt: TEXTS[2], add_special_tokens: false });
  });

  test("other modes (MLX, LM Studio, Ollama…) count with gpt-tokenizer", async () => {
    expect((await counterFor("mlx", `${llama.url}/v1`, "m", undefined, localCounter()).count(TEXTS)).by).toBe("o200k_base");
  });
});

describe("falling back to gpt-tokenizer", () => {
  const fallbacks: [string, Mode][] = [["an HTTP 500", "error"], ["a stalled tokenizer (timeout)", "stall"], ["no /tokenize (404)", "missing"]];
  for (const [name, mode] of fallbacks) {
    test(name, async () => {
      llama.mode = mode;
      const reasons: string[] = [];
      const counter = serverCounter({ api: "llamacpp", rootUrl: llama.url, model: "m", fallback: localCounter(), timeoutMs: 300, onFallback: (why) => reasons.push(why) });
      expect(await counter.count(TEXTS)).toEqual({ tokens: TEXTS.map(plain), by: "o200k_base" });
      expect(reasons).toHaveLength(1);
      llama.mode = "ok";
    });
  }

  // These two check that the server is not asked: each has a server of its own, which a request an
  // earlier test gave up on (the stalled one) cannot reach late.
  test("after a 404 the server is not asked again", async () => {
    const own = startTokenizer("llamacpp");
    try {
      own.mode = "missing";
      const counter = serverCounter({ api: "llamacpp", rootUrl: own.url, model: "m", fallback: localCounter() });
      await counter.count(TEXTS);
      own.mode = "ok";
      expect((await counter.count(TEXTS)).by).toBe("o200k_base");
      expect(own.bodies).toEqual([]);
    } finally {
      await own.stop();
    }
  });

  test("a body over the counting budget stays with the bounded local counter", async () => {
    const own = startTokenizer("llamacpp");
    try {
      const counter = serverCounter({ api: "llamacpp", rootUrl: own.url, model: "m", fallback: localCounter() });
      expect((await counter.count(["x".repeat(1_200_000)])).by).toBe("o200k_base");
      expect(own.bodies).toEqual([]);
    } finally {
      await own.stop();
    }
  }, 30_000);
});

describe("through the proxy: count_tokens uses the server's count, and survives its failure", () => {
  let upstream: Upstream;
  let proxy: Listening;
  beforeAll(async () => {
    upstream = await startUpstream(() => textReply("ok"));
    const counter = serverCounter({ api: "llamacpp", rootUrl: llama.url, model: "m", fallback: localCounter(), timeoutMs: 300 });
    proxy = await startProxy({ upstreamUrl: upstream.url, app: { counter } });
  });
  afterAll(async () => {
    await proxy.stop();
    await upstream.stop();
  });
  const body = { model: "claude-x", system: "You are Claude Code.", messages: [{ role: "user", content: "read the file src/index.ts and fix the bug" }] };
  const countTokensOf = async () => {
    const res = await fetch(`${proxy.url}/v1/messages/count_tokens`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return ((await res.json()) as { input_tokens: number }).input_tokens;
  };

  test("server up: its tokens plus 4 per message", async () => {
    llama.mode = "ok";
    expect(await countTokensOf()).toBe(fakeCount(body.system) + 4 + fakeCount(body.messages[0]!.content));
  });

  test("server failing: gpt-tokenizer's count, still 200", async () => {
    llama.mode = "error";
    expect(await countTokensOf()).toBe(plain(body.system) + 4 + plain(body.messages[0]!.content));
    llama.mode = "ok";
  });
});
