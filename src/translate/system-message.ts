// The system message of a chat request (protocol.md §1.3, §6.1): the system blocks without the
// billing line, joined as text, or as parts when the server keeps cache_control. Pure.
import type { MessagesRequest } from "../protocol/anthropic.ts";
import type { ChatMessage, ContentPart } from "../protocol/openai.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { FrozenMemo } from "./frozen-memo.ts";

export const BILLING_HEADER_PREFIX = "x-anthropic-billing-header:";

type System = MessagesRequest["system"];
type SystemMessage = Extract<ChatMessage, { role: "system" }>;

/**
 * Claude Code resends the system prompt turn after turn (the two captured turns of one session in
 * test/fixtures/claude-code carry the same list, billing line included), and the validator hands
 * out the same frozen list for an unchanged one: its message is made once per list and per form,
 * frozen, so that its JSON can be reused too (request-json.ts). An unfrozen list is translated every time.
 */
const made = new FrozenMemo<SystemMessage | null>();

/** The system message, or null when nothing is left of the system prompt. */
export function systemMessage(system: System, keepCacheControl: boolean): SystemMessage | null {
  if (typeof system !== "object" || system === null || !Object.isFrozen(system)) return makeSystemMessage(system, keepCacheControl);
  return made.get(system, keepCacheControl, () => deepFreeze(makeSystemMessage(system, keepCacheControl)));
}

function makeSystemMessage(system: System, keepCacheControl: boolean): SystemMessage | null {
  const blocks = typeof system === "string" ? [{ type: "text" as const, text: system }] : (system ?? []);
  // The billing line changes on every request and would defeat every prefix cache (§1.3).
  const kept = blocks.filter((b) => !b.text.startsWith(BILLING_HEADER_PREFIX) && b.text.trim() !== "");
  if (!kept.length) return null;
  if (!keepCacheControl) return { role: "system", content: kept.map((b) => b.text).join("\n\n") };
  const parts: ContentPart[] = kept.map((b) => ({ type: "text", text: b.text, ...(b.cache_control ? { cache_control: b.cache_control } : {}) }));
  return { role: "system", content: parts };
}
