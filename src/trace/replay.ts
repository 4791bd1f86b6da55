// Replays one recorded request against a backend through the same translation path, N times,
// and measures prompt processing (time to first token), generation, tokens/s and cached tokens.
import type { Backend } from "../backends/types.ts";
import type { MessagesRequest } from "../protocol/anthropic.ts";

export interface RunResult {
  run: number;
  /** Request sent → first content delta: prompt processing, in ms. */
  promptMs: number;
  /** First → last content delta, in ms. */
  generationMs: number;
  totalMs: number;
  outputTokens: number;
  inputTokens: number;
  cachedTokens: number;
  tokensPerSecond: number;
  error?: string;
}

export interface ReplayResult {
  version: 1;
  mode: string;
  model: string;
  /** The backend's URL: two servers of one mode are two populations. Absent in older results. */
  baseUrl?: string;
  trace: string;
  startedAt: string;
  runs: RunResult[];
}

/** One run; it fails (never hangs) when the backend has not finished within timeoutMs. */
/** One run; `stop` (the user's Ctrl-C) ends it early, and it is then marked `interrupted`. */
export async function replayOnce(backend: Backend, req: MessagesRequest, model: string, run: number, timeoutMs = 30 * 60_000, stop?: AbortSignal): Promise<RunResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = stop ? AbortSignal.any([timeout, stop]) : timeout;
  const t0 = performance.now();
  let first = 0;
  let last = 0;
  let output = 0;
  let input = 0;
  let cached = 0;
  let error: string | undefined;
  try {
    for await (const ev of backend.send({ ...req, stream: true }, { model, signal })) {
      if (ev.type === "content_block_delta") {
        last = performance.now() - t0;
        if (!first) first = last;
      } else if (ev.type === "message_start") {
        input = ev.message.usage.input_tokens;
      } else if (ev.type === "message_delta") {
        output = ev.usage.output_tokens;
        input = ev.usage.input_tokens ?? input;
        cached = ev.usage.cache_read_input_tokens ?? 0;
      } else if (ev.type === "error") error = `${ev.error.type}: ${ev.error.message}`;
    }
  } catch (e) {
    error = (e as Error).message;
  }
  // The backend reports our own abort as a disconnect; say what happened instead.
  if (stop?.aborted) error = "interrupted";
  else if (timeout.aborted) error = `no complete answer within ${Math.round(timeoutMs / 1000)} s`;
  const total = performance.now() - t0;
  const generationMs = Math.max(0, last - first);
  return {
    run,
    promptMs: first || total,
    generationMs,
    totalMs: total,
    outputTokens: output,
    inputTokens: input,
    cachedTokens: cached,
    tokensPerSecond: generationMs > 0 ? (output / generationMs) * 1000 : 0,
    ...(error ? { error } : {}),
  };
}
