// The upstream body: JSON.stringify(request), byte for byte, reusing JSON already written. The
// tool list (~30 KB in Claude Code's requests) is translated once per unchanged list and frozen
// (request-tools.ts): its JSON is made once. A conversation is resent with its earlier messages
// unchanged: given the messages JSON written recently, a message equal to the one in the same place
// last time (key order included) is not written again. Pure, but for what `RecentMessages` holds.
// As bytes (what is sent), the JSON kept is kept encoded too: Claude Code's system prompt holds
// characters beyond Latin-1, so the whole body is a two-byte string that fetch would transcode anew.
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

/** The body's JSON in order: text written now, and JSON kept from before. */
function jsonParts(request: ChatRequest, recent?: RecentMessages): (string | KeptJson)[] | undefined {
  const tools = request.tools && Object.isFrozen(request.tools) ? request.tools : undefined;
  if (!tools && !recent) return undefined;
  const parts: (string | KeptJson)[] = [];
  let text = "{";
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue; // JSON.stringify leaves these out
    text += `${parts.length || text.length > 1 ? "," : ""}${JSON.stringify(key)}:`;
    if (key === "tools" && tools) {
      parts.push(text, jsonOf(tools));
      text = "";
    } else if (key === "messages" && recent) {
      const messages = recent.kept(request.messages);
      parts.push(`${text}[`);
      for (let i = 0; i < messages.length; i++) {
        if (i) parts.push(",");
        parts.push(messages[i]!);
      }
      text = "]";
    } else text += JSON.stringify(value);
  }
  parts.push(`${text}}`);
  return parts;
}

export function chatRequestJson(request: ChatRequest, recent?: RecentMessages): string {
  const parts = jsonParts(request, recent);
  return parts ? parts.map((p) => (typeof p === "string" ? p : p.text)).join("") : JSON.stringify(request);
}

/** The UTF-8 of chatRequestJson, and its length as text (UTF-16 units). */
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
    bound += typeof p === "string" ? 3 * p.length : p.bytes.length;
    chars += typeof p === "string" ? p.length : p.text.length;
  }
  const out = new Uint8Array(bound);
  let pos = 0;
  for (const p of parts) {
    // Mostly the commas between messages: one ASCII char is its own byte (encodeInto would need a view each).
    if (typeof p === "string") {
      const c = p.length === 1 ? p.charCodeAt(0) : 0x80;
      if (c < 0x80) out[pos++] = c;
      else pos += encoder.encodeInto(p, out.subarray(pos)).written;
    } else {
      out.set(p.bytes, pos);
      pos += p.bytes.length;
    }
  }
  return { bytes: out.subarray(0, pos), chars };
}

interface Written {
  messages: readonly ChatMessage[];
  json: KeptJson[];
}

/**
 * The messages JSON of the last few conversations (one per backend: a main conversation and
 * Claude Code's side requests alternate). Messages are plain JSON data built from a parsed body,
 * for which equal by sameJson means equal JSON (a Date, whose JSON is not its keys, is not among
 * them; NaN is unequal to itself and written anew).
 */
export class RecentMessages {
  private written: Written[] = [];

  constructor(private readonly keep = 4) {}

  /** JSON.stringify of each message, reused where the same message was written before. */
  kept(messages: readonly ChatMessage[]): readonly KeptJson[] {
    // The conversation written before that these messages continue longest.
    let best = -1;
    let same = 0;
    for (let k = 0; k < this.written.length; k++) {
      const before = this.written[k]!.messages;
      let n = 0;
      while (n < messages.length && n < before.length && sameJson(before[n], messages[n])) n++;
      if (n > same) [best, same] = [k, n];
    }
    const json = best >= 0 ? this.written.splice(best, 1)[0]!.json.slice(0, same) : [];
    for (let i = same; i < messages.length; i++) json.push(new KeptJson(JSON.stringify(messages[i]) ?? "null"));
    this.written.unshift({ messages, json });
    this.written.length = Math.min(this.written.length, this.keep);
    return json;
  }
}
