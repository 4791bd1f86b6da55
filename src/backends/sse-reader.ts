// Reads an upstream text/event-stream body into messages with eventsource-parser (the WHATWG
// algorithm: LF, CRLF and lone-CR line endings, bare field names, comments, BOM). What we add:
// llama.cpp sends errors as an `error:` field instead of `data:` (a message whose event is
// "error"), a last message without its blank line still counts, the idle limit, and a fast path
// for the common run of single-line `data:` messages (SseLineParser).
import { createParser, type EventSourceParser, type ParseError } from "eventsource-parser";
import { type ByteReader, type ByteStream, readerOf } from "../runtime/byte-stream.ts";
import { Utf8Stream } from "./utf8-stream.ts";

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
 * per stream, re-armed on every read; when it fires, the read in flight is cancelled. The body is
 * cancelled when the caller stops reading, unless it released it first (ByteReader.release).
 */
export async function* readSseBatches<T = never>(reader: ByteReader, idleMs: number, readData?: DataReader<T>): AsyncGenerator<(SseMessage | T)[]> {
  const decoder = new Utf8Stream();
  const parser = new SseLineParser(readData);
  let idle = false;
  const timer = idleMs > 0 ? setTimeout(() => ((idle = true), reader.cancel()), idleMs) : undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (idle) throw new StreamIdleError(idleMs);
      timer?.refresh();
      if (done) break;
      const messages = parser.feed(decoder.decode(value));
      if (messages.length) yield messages;
    }
    const rest = decoder.end();
    const messages = rest ? [...parser.feed(rest), ...parser.end()] : parser.end();
    if (messages.length) yield messages;
  } finally {
    clearTimeout(timer);
    reader.cancel();
  }
}

/** One message at a time. */
export async function* readSse(body: ByteStream, idleMs: number): AsyncGenerator<SseMessage> {
  for await (const batch of readSseBatches<never>(readerOf(body), idleMs)) yield* batch;
}

/** Only the data of each message (the Anthropic passthrough needs no more). */
export async function* readSseData(body: ByteStream, idleMs: number): AsyncGenerator<string> {
  for await (const m of readSse(body, idleMs)) yield m.data;
}

/**
 * What the caller makes of a plain message's data, `s` from `from` to `to`, read in place: a message
 * object and a copy of its data per message would cost more than the rest of a fast chunk's decoding.
 */
export type DataReader<T> = (s: string, from: number, to: number) => T;

const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;

/**
 * Incremental and synchronous: text in, the messages it completes out. The common run (LF line
 * endings, single-line `data:` messages, comments, blank lines) is cut here without copying a read
 * into eventsource-parser's line buffer; from the first line of any other shape (another field,
 * multi-line data, a CR anywhere) on, eventsource-parser reads the rest, from that message on.
 */
export class SseLineParser<T = never> {
  private slow: EventSourceParser | undefined;
  private out: (SseMessage | T)[] = [];
  /** Whether the fast path still reads the stream. */
  private fast = true;
  /** In the fast path: the text after the last complete line group, not yet complete. */
  private tail = "";
  /** Whether the fast path consumed any text: eventsource-parser would then start mid-stream. */
  private started = false;
  /**
   * Past the fast path: the last line, not ended yet. eventsource-parser gets whole lines only: a line
   * split across feeds whose start is no known field is dropped by it, llama.cpp's `error:` among them.
   */
  private partial = "";

  /** `readData`: what the fast path makes of each plain `data:` message (the message itself without it). */
  constructor(private readonly readData?: DataReader<T>) {}

  /** Made at the first line of another shape: most streams never need it (each costs a handful of closures). */
  private get parser(): EventSourceParser {
    return (this.slow ??= createParser({
      onEvent: (m) => this.out.push({ event: m.event || "message", data: m.data }),
      // Unknown fields are ignored by the spec; llama.cpp's `error: {json}` is a message of its own.
      onError: (e: ParseError) => {
        if (e.type === "unknown-field" && e.field === "error" && e.value != null) this.out.push({ event: "error", data: e.value });
      },
    }));
  }

  feed(text: string): (SseMessage | T)[] {
    if (!this.fast) {
      this.feedLines(text);
      return this.drain();
    }
    if (text.indexOf("\r") !== -1) {
      this.handOver(this.tail + text);
      return this.drain();
    }
    let from = 0;
    if (this.tail) {
      // Joined to what is pending: up to the first blank line (always a line-group boundary), else
      // all of it once a line ends in it; a read that ends no line only waits with it.
      const straddles = this.tail.charCodeAt(this.tail.length - 1) === LF && text.charCodeAt(0) === LF;
      const blank = straddles ? -1 : text.indexOf("\n\n");
      if (!straddles && blank < 0 && text.indexOf("\n") < 0) {
        this.tail += text;
        return this.drain();
      }
      from = straddles ? 1 : blank >= 0 ? blank + 2 : text.length;
      const head = this.tail + text.slice(0, from);
      this.tail = "";
      const stop = this.scan(head, 0);
      if (this.fast && stop < head.length) {
        if (from === text.length) {
          this.tail = head.slice(stop);
          return this.drain();
        }
        // A group that ends with a blank line is whole; were any of it left, the parser takes it from there.
        this.handOver(head.slice(stop));
      }
      if (!this.fast) {
        this.feedLines(text.slice(from));
        return this.drain();
      }
    }
    const stop = this.scan(text, from);
    if (this.fast) this.tail = text.slice(stop);
    return this.drain();
  }

  /** At EOF: a last line without its ending and a message without its blank line still count. */
  end(): (SseMessage | T)[] {
    // Nothing pending: eventsource-parser, fed only the blank lines below, would add nothing.
    if (this.fast && !this.tail) return this.drain();
    if (this.fast) this.handOver(this.tail);
    this.parser.feed(`${this.partial}\n\n`);
    this.partial = "";
    this.parser.reset();
    return this.drain();
  }

  /**
   * Messages of the common shapes from `i`, at a line-group boundary (no field pending). Returns
   * where the first incomplete line group starts; at a line of any other shape, hands `s` from there
   * over to eventsource-parser.
   */
  private scan(s: string, from: number): number {
    let i = from;
    let other = false;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === LF) {
        i++; // a blank line with no data: nothing to dispatch
        continue;
      }
      const lf = s.indexOf("\n", i);
      if (lf < 0) break;
      if (c === COLON) {
        i = lf + 1; // a comment
        continue;
      }
      if (!s.startsWith("data:", i)) {
        other = true;
        break;
      }
      if (lf + 1 === s.length) break; // whether the next line is blank is not known yet
      if (s.charCodeAt(lf + 1) !== LF) {
        other = true; // more fields or data lines
        break;
      }
      const value = i + 5 < lf && s.charCodeAt(i + 5) === SPACE ? i + 6 : i + 5;
      this.out.push(this.readData ? this.readData(s, value, lf) : { event: "message", data: s.slice(value, lf) });
      i = lf + 2;
    }
    if (i > from) this.started = true;
    if (other) this.handOver(s.slice(i));
    return i;
  }

  private handOver(rest: string): void {
    this.fast = false;
    this.tail = "";
    // A fresh parser would take a BOM at its start for the stream's: it starts mid-stream.
    if (this.started) this.parser.feed("\n");
    this.feedLines(rest);
  }

  private feedLines(text: string): void {
    const end = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r")) + 1;
    if (end === 0) {
      this.partial += text;
      return;
    }
    this.parser.feed(this.partial + text.slice(0, end));
    this.partial = text.slice(end);
  }

  private drain(): (SseMessage | T)[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
