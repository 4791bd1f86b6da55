// Writes backend events to the client: as SSE (streamSSE) or folded into one Message.
// Guarantees every stream ends with exactly one message_stop or one error event.
import type { ConsolaInstance } from "consola";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AnthropicEvent } from "../protocol/anthropic.ts";
import { MessageFolder } from "../translate/fold.ts";
import { asAnthropicError, errorResponse } from "./errors.ts";

type Events = AsyncIterator<AnthropicEvent>;

export async function answerMessage(c: Context, events: Events, abort: AbortController): Promise<Response> {
  const folder = new MessageFolder();
  try {
    for (let r = await events.next(); !r.done; r = await events.next()) folder.add(r.value);
    return c.json(folder.result());
  } catch (e) {
    abort.abort();
    await events.return?.();
    return errorResponse(c, asAnthropicError(e));
  }
}

export interface StreamOptions {
  pingIntervalMs: number;
  logger: ConsolaInstance;
}

export async function answerStream(c: Context, events: Events, abort: AbortController, opts: StreamOptions): Promise<Response> {
  // The first event decides the status: a failure before it is a real HTTP error (§7.7).
  let first: IteratorResult<AnthropicEvent>;
  try {
    first = await events.next();
  } catch (e) {
    abort.abort();
    return errorResponse(c, asAnthropicError(e));
  }
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => abort.abort());
    let terminal = false;
    let lastWrite = Date.now();
    const write = async (ev: AnthropicEvent) => {
      lastWrite = Date.now();
      // Pre-framed write: writeSSE would run Hono's HTML-escape callbacks on every event.
      await stream.write(`event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`);
      if (ev.type === "message_stop" || ev.type === "error") terminal = true;
    };
    // Keep-alive while the upstream is silent (prefill, long buffered tool arguments).
    const pinger = setInterval(() => {
      if (!terminal && Date.now() - lastWrite >= opts.pingIntervalMs) write({ type: "ping" }).catch(() => {});
    }, Math.max(50, opts.pingIntervalMs / 4));
    try {
      for (let r = first; !r.done && !terminal; r = await events.next()) await write(r.value);
      if (!terminal && !abort.signal.aborted) {
        opts.logger.warn("backend stream ended without message_stop");
        await write({ type: "error", error: { type: "api_error", message: "upstream stream ended unexpectedly" } });
      }
    } catch (e) {
      if (!terminal && !abort.signal.aborted) {
        const error = asAnthropicError(e);
        opts.logger.warn(`stream failed: ${error.message}`);
        await write({ type: "error", error: error.body }).catch(() => {});
      }
    } finally {
      clearInterval(pinger);
      if (abort.signal.aborted) await events.return?.(undefined).catch(() => {});
    }
  });
}
