// Reads an upstream text/event-stream body into messages with eventsource-parser (the WHATWG
// algorithm: LF, CRLF and lone-CR line endings, bare field names, comments, BOM). What we add:
// llama.cpp sends errors as an `error:` field instead of `data:` (a message whose event is
// "error"), a last message without its blank line still counts, and the idle limit.
import { createParser, type EventSourceParser, type ParseError } from "eventsource-parser";

/** How long an upstream may stay silent (no headers, no bytes) before we give up on it. */
export const DEFAULT_IDLE_TIMEOUT_MS = 300_000;

export class StreamIdleError extends Error {
  constructor(readonly idleMs: number) {
    super(`upstream sent nothing for ${Math.round(idleMs / 1000)} s`);
  }
}

export interface SseMessage {
  /** The `event:` name; "message" when absent. */
  event: string;
  data: string;
}

/**
 * The messages of each network read together, so the caller can handle (and write) a read at
 * once. One decoder (a multi-byte character split across reads stays intact) and one idle timer
 * per stream, re-armed on every read; when it fires, the read in flight is cancelled.
 */
export async function* readSseBatches(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<SseMessage[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseLineParser();
  let idle = false;
  const timer = idleMs > 0 ? setTimeout(() => ((idle = true), reader.cancel().catch(() => {})), idleMs) : undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (idle) throw new StreamIdleError(idleMs);
      timer?.refresh();
      if (done) break;
      const messages = parser.feed(decoder.decode(value, { stream: true }));
      if (messages.length) yield messages;
    }
    const rest = decoder.decode();
    const messages = rest ? [...parser.feed(rest), ...parser.end()] : parser.end();
    if (messages.length) yield messages;
  } finally {
    clearTimeout(timer);
    reader.cancel().catch(() => {});
  }
}

/** One message at a time. */
export async function* readSse(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<SseMessage> {
  for await (const batch of readSseBatches(body, idleMs)) yield* batch;
}

/** Only the data of each message (the Anthropic passthrough needs no more). */
export async function* readSseData(body: ReadableStream<Uint8Array>, idleMs: number): AsyncGenerator<string> {
  for await (const m of readSse(body, idleMs)) yield m.data;
}

/** Incremental and synchronous: text in, the messages it completes out. */
export class SseLineParser {
  private readonly parser: EventSourceParser;
  private out: SseMessage[] = [];

  constructor() {
    this.parser = createParser({
      onEvent: (m) => this.out.push({ event: m.event || "message", data: m.data }),
      // Unknown fields are ignored by the spec; llama.cpp's `error: {json}` is a message of its own.
      onError: (e: ParseError) => {
        if (e.type === "unknown-field" && e.field === "error" && e.value != null) this.out.push({ event: "error", data: e.value });
      },
    });
  }

  feed(text: string): SseMessage[] {
    this.parser.feed(text);
    return this.drain();
  }

  /** At EOF: a last line without its ending and a message without its blank line still count. */
  end(): SseMessage[] {
    this.parser.feed("\n\n");
    this.parser.reset();
    return this.drain();
  }

  private drain(): SseMessage[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
