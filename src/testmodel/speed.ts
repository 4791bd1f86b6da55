// Speed in Claude Code's terms, from two timed turns: cold prefill of the full prompt, the time to
// first token of the follow-up (does the server reuse its prompt cache?), and decode speed.
import type { TimedAnswer } from "./client.ts";

export interface Speed {
  /** Prompt tokens of the cold turn, as the server reported them (or the proxy estimated). */
  promptTokens: number | null;
  coldTtftMs: number | null;
  /** promptTokens / cold TTFT: a lower bound, since TTFT also holds the first generated tokens. */
  prefillTokensPerSecond: number | null;
  followUpTtftMs: number | null;
  /** Prompt tokens of the follow-up the server said it served from its cache. */
  followUpCachedTokens: number | null;
  decodeTokens: number | null;
  decodeTokensPerSecond: number | null;
  /** The managed MLX server's own count of tokens it reused for the follow-up. */
  mlxReusedTokens: number | null;
}

export interface MlxCacheStats {
  hits: number;
  misses: number;
  reused_tokens: number;
}

const round = (x: number) => Math.round(x * 10) / 10;

export function speedOf(cold: TimedAnswer | null, follow: TimedAnswer | null, before: MlxCacheStats | null, after: MlxCacheStats | null): Speed {
  const usage = cold?.message?.usage;
  const promptTokens = usage ? usage.input_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens : null;
  const coldTtft = cold?.message ? cold.ttftMs : null;
  const followTtft = follow?.message ? follow.ttftMs : null;
  const out = follow?.message?.usage.output_tokens ?? null;
  // Fewer than 8 tokens, or all in one burst, say nothing about decode speed.
  const decode = out !== null && out >= 8 && follow?.streamMs ? (out - 1) / (follow.streamMs / 1000) : null;
  return {
    promptTokens,
    coldTtftMs: coldTtft === null ? null : Math.round(coldTtft),
    prefillTokensPerSecond: promptTokens && coldTtft ? round(promptTokens / (coldTtft / 1000)) : null,
    followUpTtftMs: followTtft === null ? null : Math.round(followTtft),
    followUpCachedTokens: follow?.message ? follow.message.usage.cache_read_input_tokens : null,
    decodeTokens: out,
    decodeTokensPerSecond: decode === null ? null : round(decode),
    mlxReusedTokens: before && after ? after.reused_tokens - before.reused_tokens : null,
  };
}

/** GET /v1/cache on anyclaude's MLX server; null when it does not answer. */
export async function fetchMlxCache(baseUrl: string): Promise<MlxCacheStats | null> {
  try {
    const res = await fetch(`${baseUrl.replace(/\/+$/, "")}/cache`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return null;
    const body = (await res.json()) as Partial<MlxCacheStats>;
    return typeof body.reused_tokens === "number" ? { hits: body.hits ?? 0, misses: body.misses ?? 0, reused_tokens: body.reused_tokens } : null;
  } catch {
    return null;
  }
}
