// Counting with the backend's own tokenizer, where the server offers one:
//   llama.cpp  POST /tokenize {content, add_special, parse_special} → {tokens: [...]}
//   vLLM       POST /tokenize {model, prompt, add_special_tokens}    → {count, max_model_len, tokens}
// (our MLX server has none). A request never fails because of it: any error, a timeout, or a body
// over the counting budget, and the request is counted by the fallback (gpt-tokenizer) instead.
import * as v from "valibot";
import { type Counted, EXACT_CHARS, type TextCounter } from "./text-counter.ts";

export type TokenizeApi = "llamacpp" | "vllm";

export interface ServerCounterOptions {
  api: TokenizeApi;
  /** The server's root (without /v1). */
  rootUrl: string;
  model: string;
  apiKey?: string;
  fallback: TextCounter;
  /** For all the texts of one request together. */
  timeoutMs?: number;
  /** Texts tokenized at once. */
  concurrency?: number;
  /** Told why a request was counted by the fallback. */
  onFallback?: (why: string) => void;
}

const LlamaTokenized = v.object({ tokens: v.array(v.unknown()) });
const VllmTokenized = v.object({ count: v.pipe(v.number(), v.integer(), v.minValue(0)) });

const NAMES: Record<TokenizeApi, string> = { llamacpp: "llama.cpp /tokenize", vllm: "vLLM /tokenize" };

/** The counter for a backend: its server's tokenizer where it has one, gpt-tokenizer otherwise. */
export function counterFor(mode: string, baseUrl: string, model: string, apiKey: string | undefined, fallback: TextCounter, onFallback?: (why: string) => void): TextCounter {
  if (mode !== "llamacpp" && mode !== "vllm") return fallback;
  return serverCounter({ api: mode, rootUrl: baseUrl.replace(/\/v1\/?$/, ""), model, ...(apiKey ? { apiKey } : {}), fallback, ...(onFallback ? { onFallback } : {}) });
}

export function serverCounter(opts: ServerCounterOptions): TextCounter {
  const name = NAMES[opts.api];
  let unsupported = false;
  const headers = { "content-type": "application/json", ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) };

  async function tokenize(text: string, signal: AbortSignal): Promise<number> {
    if (text === "") return 0;
    // Special-token text inside a prompt is counted as plain text, as the fallback does.
    const body = opts.api === "llamacpp" ? { content: text, add_special: false, parse_special: false } : { model: opts.model, prompt: text, add_special_tokens: false };
    const res = await fetch(`${opts.rootUrl}/tokenize`, { method: "POST", headers, body: JSON.stringify(body), signal });
    if (res.status === 404 || res.status === 405) unsupported = true;
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
    const json: unknown = await res.json();
    return opts.api === "llamacpp" ? v.parse(LlamaTokenized, json).tokens.length : v.parse(VllmTokenized, json).count;
  }

  async function viaServer(texts: readonly string[]): Promise<Counted> {
    const signal = AbortSignal.timeout(opts.timeoutMs ?? 3000);
    const tokens: number[] = new Array(texts.length).fill(0);
    let next = 0;
    const worker = async () => {
      while (next < texts.length) {
        const i = next++;
        tokens[i] = await tokenize(texts[i]!, signal);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
    return { tokens, by: name };
  }

  return {
    name,
    async count(texts) {
      const chars = texts.reduce((n, t) => n + t.length, 0);
      // Huge bodies stay with the bounded local counter: the server would tokenize all of it.
      if (unsupported || chars > EXACT_CHARS) return opts.fallback.count(texts);
      try {
        return await viaServer(texts);
      } catch (e) {
        opts.onFallback?.(`${name} failed (${(e as Error).message})`);
        return opts.fallback.count(texts);
      }
    },
  };
}
