// Writes backend events to the client: as SSE (streamSSE) or folded into one Message.
// Guarantees every stream ends with exactly one message_stop or one error event.
// Events arrive in batches (all the events one upstream read produced) and each batch is framed
// into one byte buffer (sse-bytes.ts) and written once: one promise per read, not one per event.
import type { ConsolaInstance } from "consola";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AnthropicEvent } from "../protocol/anthropic.ts";
import { MessageFolder } from "../translate/fold.ts";
import { asAnthropicError, errorResponse } from "./errors.ts";
import { frameEventBytes } from "./sse-bytes.ts";

export type EventBatches = AsyncIterator<AnthropicEvent[]>;

/** For backends that only yield single events. */
export async function* oneEventPerBatch(events: AsyncIterable<AnthropicEvent>): AsyncGenerator<AnthropicEvent[]> {
  for await (const ev of events) yield [ev];
}

export async function answerMessage(c: Context, batches: EventBatches, abort: AbortController): Promise<Response> {
  const folder = new MessageFolder();
  try {
    for (let r = await batches.next(); !r.done; r = await batches.next()) for (const ev of r.value) folder.add(ev);
    return c.json(folder.result());
  } catch (e) {
    abort.abort();
    await batches.return?.();
    return errorResponse(c, asAnthropicError(e));
  }
}

export interface StreamOptions {
  pingIntervalMs: number;
  logger: ConsolaInstance;
}

/** Pulls batches until one has an event: an empty batch says nothing about success or failure. */
async function firstEvents(batches: EventBatches): Promise<IteratorResult<AnthropicEvent[]>> {
  for (;;) {
    const r = await batches.next();
    if (r.done || r.value.length) return r;
  }
}

export async function answerStream(c: Context, batches: EventBatches, abort: AbortController, opts: StreamOptions): Promise<Response> {
  // The first event decides the status: a failure before it is a real HTTP error (§7.7).
  let first: IteratorResult<AnthropicEvent[]>;
  try {
    first = await firstEvents(batches);
  } catch (e) {
    abort.abort();
    return errorResponse(c, asAnthropicError(e));
  }
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => abort.abort());
    let terminal = false;
    let lastWrite = Date.now();
    const write = async (events: readonly AnthropicEvent[]) => {
      if (terminal || !events.length) return;
      const framed = frameEventBytes(events);
      terminal = framed.terminal;
      lastWrite = Date.now();
      await stream.write(framed.bytes);
    };
    // Keep-alive while the upstream is silent (prefill, long buffered tool arguments).
    const pinger = setInterval(() => {
      if (!terminal && Date.now() - lastWrite >= opts.pingIntervalMs) write([{ type: "ping" }]).catch(() => {});
    }, Math.max(50, opts.pingIntervalMs / 4));
    try {
      for (let r = first; !r.done && !terminal; r = await batches.next()) await write(r.value);
      if (!terminal && !abort.signal.aborted) {
        opts.logger.warn("backend stream ended without message_stop");
        await write([{ type: "error", error: { type: "api_error", message: "upstream stream ended unexpectedly" } }]);
      }
    } catch (e) {
      if (!terminal && !abort.signal.aborted) {
        const error = asAnthropicError(e);
        opts.logger.warn(`stream failed: ${error.message}`);
        await write([{ type: "error", error: error.body }]).catch(() => {});
      }
    } finally {
      clearInterval(pinger);
      // Under Node 20 the response stream outlives the request until a full collection (a web
      // stream is a transferable with a weak handle, which young collections keep), and Hono's
      // stash keeps the Context with it: the body text cached there would be promoted with them.
      c.req.bodyCache = {};
      if (abort.signal.aborted) await batches.return?.(undefined).catch(() => {});
    }
  });
}
