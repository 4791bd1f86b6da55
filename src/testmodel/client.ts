// Sends one Anthropic request to the running proxy, exactly as Claude Code would, and folds the
// SSE answer into a Message while timing it from the client's side.
import type { AnthropicEvent, MessagesRequest } from "../protocol/anthropic.ts";
import { readSseData } from "../backends/sse-reader.ts";
import { MessageFolder } from "../translate/fold.ts";
import type { Answer } from "./probes.ts";

export interface TimedAnswer extends Answer {
  /** Request sent → answer complete. */
  ms: number;
  /** Request sent → first content delta (text, thinking or a tool call). */
  ttftMs: number | null;
  /** First → last content delta. */
  streamMs: number | null;
  /** No complete answer within the target's timeout. */
  timedOut: boolean;
}

export interface ProxyTarget {
  url: string;
  apiKey: string;
  /** Longest a probe may take before it counts as a failure. */
  timeoutMs: number;
}

export async function ask(target: ProxyTarget, request: MessagesRequest): Promise<TimedAnswer> {
  const started = performance.now();
  let first: number | null = null;
  let last: number | null = null;
  const done = (a: Answer): TimedAnswer => ({
    ...a,
    ms: performance.now() - started,
    ttftMs: first === null ? null : first - started,
    streamMs: first === null || last === null ? null : last - first,
    timedOut: signal.aborted,
  });
  const signal = AbortSignal.timeout(target.timeoutMs);
  try {
    const res = await fetch(`${target.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": target.apiKey, "anthropic-version": "2023-06-01" },
      body: JSON.stringify(request),
      signal,
    });
    if (!res.ok || !res.body) {
      const body = await res.text();
      const message = (JSON.parse(body || "{}") as { error?: { message?: string } }).error?.message;
      return done({ message: null, error: `HTTP ${res.status}: ${message ?? body.slice(0, 200)}` });
    }
    const folder = new MessageFolder();
    for await (const data of readSseData(res.body, 0)) {
      const ev = JSON.parse(data) as AnthropicEvent;
      if (ev.type === "error") return done({ message: null, error: `${ev.error.type}: ${ev.error.message}` });
      if (ev.type === "content_block_delta") {
        last = performance.now();
        first ??= last;
      }
      folder.add(ev);
    }
    return done({ message: folder.result(), error: null });
  } catch (e) {
    const error = signal.aborted ? `no complete answer within ${Math.round(target.timeoutMs / 1000)} s` : (e as Error).message;
    return done({ message: null, error });
  }
}
