// The upstream body: JSON.stringify(request), byte for byte, reusing JSON already written. The
// tool list (~30 KB in Claude Code's requests) is translated once per unchanged list and frozen
// (request-tools.ts): its JSON is made once. A conversation is resent with its earlier messages
// unchanged: given the messages JSON written recently, a message equal to the one in the same place
// last time (key order included) is not written again. Pure, but for what `RecentMessages` holds.
// As bytes (what is sent), the JSON kept is kept encoded too: Claude Code's system prompt holds
// characters beyond Latin-1, so the whole body is a two-byte string that fetch would transcode anew.
// The messages' bytes as last written, commas included, are kept as one run (a view into that body):
// a resent conversation's body copies its earlier messages at once, not message by message.
import type { ChatMessage, ChatRequest } from "../protocol/openai.ts";
import { FrozenMemo } from "./frozen-memo.ts";
import { sameJson } from "./same-json.ts";

const encoder = new TextEncoder();

/** JSON text kept for reuse, and its UTF-8 made on first use. */
class KeptJson {
  private utf8: Uint8Array | undefined;
  constructor(readonly text: string) {}
  get bytes(): Uint8Array {
    return (this.utf8 ??= encoder.encode(this.text));
  }
}

/** The JSON of a deep-frozen value, made once: a frozen value cannot change after. */
const frozenJson = new FrozenMemo<KeptJson>();
const jsonOf = (value: object): KeptJson => frozenJson.get(value, undefined, () => new KeptJson(JSON.stringify(value)));

/** The body's JSON in order: text written now, JSON kept from before, and the messages' JSON. */
type Part = string | KeptJson | Written;

function jsonParts(request: ChatRequest, recent?: RecentMessages): Part[] | undefined {
  const tools = request.tools && Object.isFrozen(request.tools) ? request.tools : undefined;
  if (!tools && !recent) return undefined;
  const parts: Part[] = [];
  let text = "{";
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue; // JSON.stringify leaves these out
    text += `${parts.length || text.length > 1 ? "," : ""}${JSON.stringify(key)}:`;
    if (key === "tools" && tools) {
      parts.push(text, jsonOf(tools));
      text = "";
    } else if (key === "messages" && recent) {
      parts.push(`${text}[`, recent.kept(request.messages));
      text = "]";
    } else text += JSON.stringify(value);
  }
  parts.push(`${text}}`);
  return parts;
}

/** The UTF-8 of JSON.stringify(request), byte for byte, and its length as text (UTF-16 units). */
export function chatRequestBytes(request: ChatRequest, recent?: RecentMessages): { bytes: Uint8Array; chars: number } {
  const parts = jsonParts(request, recent);
  if (!parts) {
    const json = JSON.stringify(request);
    return { bytes: encoder.encode(json), chars: json.length };
  }
  // Text written now is at most 3 bytes per UTF-16 unit.
  let bound = 0;
  let chars = 0;
  for (const p of parts) {
    if (typeof p === "string") {
      bound += 3 * p.length;
      chars += p.length;
    } else if (p instanceof KeptJson) {
      bound += p.bytes.length;
      chars += p.text.length;
    } else {
      // The run's messages are not visited: a turn's work is that of its new messages.
      bound += p.run?.bytes.length ?? 0;
      chars += p.run?.chars ?? 0;
      for (let i = p.run?.count ?? 0; i < p.json.length; i++) {
        bound += p.json[i]!.bytes.length + 1;
        chars += p.json[i]!.text.length + (i ? 1 : 0);
      }
    }
  }
  const out = recent ? recent.buffer(bound, parts) : new Uint8Array(bound);
  let pos = 0;
  for (const p of parts) {
    if (typeof p === "string") pos += encoder.encodeInto(p, out.subarray(pos)).written;
    else if (p instanceof KeptJson) {
      out.set(p.bytes, pos);
      pos += p.bytes.length;
    } else pos = writeMessages(p, out, pos);
  }
  return { bytes: out.subarray(0, pos), chars };
}

/** The UTF-8 of a conversation's first `count` messages, commas between: a view into a body sent before. */
interface Run {
  count: number;
  bytes: Uint8Array;
  /** Its length as text, the commas' included. */
  chars: number;
}

interface Written {
  messages: readonly ChatMessage[];
  json: KeptJson[];
  /** Where these messages' first ones were last written as bytes. */
  run?: Run;
}

/** The messages' JSON, commas between, into `out` at `pos`; their run is then this body's. Returns the end. */
function writeMessages(w: Written, out: Uint8Array, pos: number): number {
  const start = pos;
  let i = 0;
  let chars = 0;
  if (w.run) {
    // In a reused buffer the run may be in place already (RecentMessages.buffer).
    if (w.run.bytes.buffer !== out.buffer || w.run.bytes.byteOffset !== pos) out.set(w.run.bytes, pos);
    pos += w.run.bytes.length;
    ({ count: i, chars } = w.run);
  }
  for (; i < w.json.length; i++) {
    // A comma is its own byte; the JSON kept is kept encoded.
    if (i) {
      out[pos++] = 0x2c;
      chars++;
    }
    out.set(w.json[i]!.bytes, pos);
    pos += w.json[i]!.bytes.length;
    chars += w.json[i]!.text.length;
  }
  w.run = { count: w.json.length, bytes: out.subarray(start, pos), chars };
  return pos;
}

/**
 * The messages JSON of the last few conversations (one per backend: a main conversation and
 * Claude Code's side requests alternate). Messages are plain JSON data built from a parsed body,
 * for which equal by sameJson means equal JSON (a Date, whose JSON is not its keys, is not among
 * them; NaN is unequal to itself and written anew).
 */
export class RecentMessages {
  private written: Written[] = [];
  /** The buffer bodies are written into again, one request at a time, and the text before their messages. */
  private pool = { bytes: new Uint8Array(0), lent: false, head: "" };

  /** `reuseBuffer`: whoever sends a body calls `release` once nothing reads its bytes (backends/openai-compatible.ts, runtime/body-lease.ts). */
  constructor(
    private readonly keep = 4,
    private readonly reuseBuffer = false,
  ) {}

  /**
   * Where to write a body of at most `bound` bytes: the reused buffer when it is free, where the
   * messages' run is then in place if it was written there last time after the same text. A fresh
   * buffer otherwise, that nothing writes again, so the runs that are views into it hold.
   */
  buffer(bound: number, parts: readonly Part[]): Uint8Array {
    const at = parts.findIndex((p) => typeof p !== "string" && !(p instanceof KeptJson));
    const head = at > 0 && parts.slice(0, at).every((p) => typeof p === "string") ? parts.slice(0, at).join("") : undefined;
    const w = parts[at] as Written | undefined;
    const pool = this.pool;
    const runInPool = w?.run?.bytes.buffer === pool.bytes.buffer;
    // A run in the buffer after other text would be overwritten before it is copied.
    if (!this.reuseBuffer || pool.lent || head === undefined || (runInPool && head !== pool.head)) return new Uint8Array(bound);
    if (pool.bytes.length < bound) pool.bytes = new Uint8Array(Math.ceil(bound * 1.25));
    // The other conversations' runs in it are about to be overwritten.
    else for (const x of this.written) if (x !== w && x.run?.bytes.buffer === pool.bytes.buffer) x.run = undefined;
    pool.lent = true;
    pool.head = head;
    return pool.bytes;
  }

  /** The body `bytes` (from chatRequestBytes) is sent: its buffer may be written again. */
  release(bytes: Uint8Array): void {
    if (bytes.buffer === this.pool.bytes.buffer) this.pool.lent = false;
  }

  /** JSON.stringify of each message, reused where the same message was written before. */
  kept(messages: readonly ChatMessage[]): Written {
    // The conversation written before that these messages continue longest.
    let best = -1;
    let same = 0;
    for (let k = 0; k < this.written.length; k++) {
      const before = this.written[k]!.messages;
      let n = 0;
      while (n < messages.length && n < before.length && sameJson(before[n], messages[n])) n++;
      if (n > same) [best, same] = [k, n];
    }
    const before = best >= 0 ? this.written.splice(best, 1)[0]! : undefined;
    const json = before ? before.json.slice(0, same) : [];
    for (let i = same; i < messages.length; i++) json.push(new KeptJson(JSON.stringify(messages[i]) ?? "null"));
    // The run written before still holds if all its messages are among those unchanged.
    const run = before?.run && before.run.count <= same && before.run.count > 0 ? before.run : undefined;
    const written: Written = run ? { messages, json, run } : { messages, json };
    this.written.unshift(written);
    this.written.length = Math.min(this.written.length, this.keep);
    return written;
  }
}
