// SSE frames for a batch of events, written straight into one byte buffer. Encoding a framed string
// (a rope of thousands of pieces per upstream read) cost more than building it; here the translator's
// text deltas (TextDeltaEvent, fixed key order) are copied from constant bytes around their text, and
// a text of plain ASCII is written char by char. Everything else is JSON.stringify, then UTF-8: the
// bytes are exactly those of encoding `event: <type>\ndata: <JSON.stringify(event)>\n\n` per event.
import type { AnthropicEvent } from "../protocol/anthropic.ts";
import { TextDeltaEvent } from "../protocol/text-delta.ts";

const encoder = new TextEncoder();
/** A text delta's bytes before its text (its block index is the only part that varies). */
const textHead = (index: number) => encoder.encode(`event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":`);
/** The heads of the first blocks, encoded once: an answer's text is nearly always in one of them. */
const HEADS = Array.from({ length: 8 }, (_, i) => textHead(i));
const headOf = (index: number) => HEADS[index] ?? textHead(index);
/** A text delta's bytes besides its index and text: the head without an index, and `}}\n\n`. */
const TEXT_FIXED = HEADS[0]!.length - 1 + 4;
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;
const LF = 0x0a;

const isTerminal = (ev: AnthropicEvent) => ev.type === "message_stop" || ev.type === "error";

/** Indices written by hand: whole and small, so String(i) is what JSON.stringify writes. */
const plainIndex = (i: number) => Number.isInteger(i) && i >= 0 && i < 1e15;

/**
 * The SSE bytes of a batch, up to and including a terminal event (nothing may follow it).
 * Framed by hand: writeSSE would run Hono's HTML-escape callbacks on every event.
 */
export function frameEventBytes(events: readonly AnthropicEvent[]): { bytes: Uint8Array; terminal: boolean } {
  // First the bound: a text delta's JSON string is at most 6 bytes per UTF-16 unit (\uXXXX) plus quotes;
  // any other frame is at most 3 bytes per unit. Other frames are stringified once, here.
  let count = 0;
  let bound = 0;
  let terminal = false;
  let frames: Map<number, string> | undefined;
  for (const ev of events) {
    count++;
    if (ev instanceof TextDeltaEvent && plainIndex(ev.index)) {
      bound += TEXT_FIXED + 16 + 6 * ev.delta.text.length + 2;
    } else {
      const frame = `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
      (frames ??= new Map()).set(count - 1, frame);
      bound += 3 * frame.length;
    }
    if (isTerminal(ev)) {
      terminal = true;
      break;
    }
  }
  const buf = new Uint8Array(bound);
  let pos = 0;
  // A batch's deltas are mostly of one block: its head is looked up once (each TypedArray.set is a call).
  let headIndex = 0;
  let head = HEADS[0]!;
  for (let i = 0; i < count; i++) {
    const frame = frames?.get(i);
    if (frame != null) {
      pos += encoder.encodeInto(frame, buf.subarray(pos)).written;
      continue;
    }
    const ev = events[i] as TextDeltaEvent;
    if (ev.index !== headIndex) {
      headIndex = ev.index;
      head = headOf(headIndex);
    }
    buf.set(head, pos);
    pos = writeJsonString(buf, pos + head.length, ev.delta.text);
    buf[pos] = CLOSE_BRACE;
    buf[pos + 1] = CLOSE_BRACE;
    buf[pos + 2] = LF;
    buf[pos + 3] = LF;
    pos += 4;
  }
  return { bytes: buf.subarray(0, pos), terminal };
}

/** JSON.stringify(text) as UTF-8: by hand when every char is printable ASCII that JSON leaves alone. */
function writeJsonString(buf: Uint8Array, pos: number, text: string): number {
  const start = pos;
  buf[pos++] = QUOTE;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Control chars, `"` and `\` are escaped; above 0x7f is more than one byte (or a surrogate).
    if (c < 0x20 || c > 0x7f || c === QUOTE || c === 0x5c) return start + encoder.encodeInto(JSON.stringify(text), buf.subarray(start)).written;
    buf[pos++] = c;
  }
  buf[pos++] = QUOTE;
  return pos;
}
