// The upstream body: JSON.stringify(request), byte for byte, reusing JSON already written. The
// tool list (~30 KB in Claude Code's requests) is translated once per unchanged list and frozen
// (request-tools.ts): its JSON is made once. A conversation is resent with its earlier messages
// unchanged: given the messages JSON written recently, a message equal to the one in the same place
// last time (key order included) is not written again. Pure, but for what `RecentMessages` holds.
import type { ChatMessage, ChatRequest } from "../protocol/openai.ts";
import { FrozenMemo } from "./frozen-memo.ts";
import { sameJson } from "./same-json.ts";

/** The JSON of a deep-frozen value, made once: a frozen value cannot change after. */
const frozenJson = new FrozenMemo<string>();
const jsonOf = (value: object): string => frozenJson.get(value, undefined, () => JSON.stringify(value));

export function chatRequestJson(request: ChatRequest, recent?: RecentMessages): string {
  const tools = request.tools && Object.isFrozen(request.tools) ? request.tools : undefined;
  if (!tools && !recent) return JSON.stringify(request);
  let out = "";
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue; // JSON.stringify leaves these out
    const json = key === "tools" && tools ? jsonOf(tools) : key === "messages" && recent ? recent.json(request.messages) : JSON.stringify(value);
    out += `${out ? "," : "{"}${JSON.stringify(key)}:${json}`;
  }
  return `${out || "{"}}`;
}

interface Written {
  messages: readonly ChatMessage[];
  json: string[];
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

  /** JSON.stringify(messages), byte for byte. */
  json(messages: readonly ChatMessage[]): string {
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
    for (let i = same; i < messages.length; i++) json.push(JSON.stringify(messages[i]) ?? "null");
    this.written.unshift({ messages, json });
    this.written.length = Math.min(this.written.length, this.keep);
    return `[${json.join(",")}]`;
  }
}
