// An assistant turn → its chat message (protocol.md §6.2). Pure. Claude Code resends every earlier
// turn each time; the request validator hands those out deep-frozen, and their translation is made
// once per turn and variant and handed out frozen too: later turns translate no earlier assistant
// turn again, and the upstream body finds it unchanged at once (the same object, RecentMessages).
import type { ContentBlockParam, MessageParam } from "../protocol/anthropic.ts";
import type { ChatMessage, ToolCall } from "../protocol/openai.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { FrozenMemo } from "./frozen-memo.ts";
import { mistralToolId } from "./ids.ts";
import type { TranslateProfile } from "./profile.ts";
import { toBackendToolName } from "./tool-names.ts";

const made = new FrozenMemo<ChatMessage>();

/** What of the profile an assistant turn's translation depends on (profiles are made per model, not kept). */
export const assistantVariant = (profile: TranslateProfile): string => `${profile.reasoningField}\u0000${profile.mistralToolIds}`;

/** Translates assistant turns for one profile; a turn's message is frozen (and made once when the turn is). */
export function assistantMessages(profile: TranslateProfile): (turn: MessageParam) => ChatMessage {
  const variant = assistantVariant(profile);
  return (turn) => made.get(turn, variant, () => deepFreeze(translate(turn, profile)));
}

function translate(turn: MessageParam, profile: TranslateProfile): ChatMessage {
  const blocks: readonly ContentBlockParam[] = typeof turn.content === "string" ? [{ type: "text", text: turn.content }] : turn.content;
  const toolId = profile.mistralToolIds ? mistralToolId : (id: string) => id;
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: ToolCall[] = [];
  for (const b of blocks) {
    if (b.type === "text") texts.push(b.text);
    else if (b.type === "thinking") reasoning.push(b.thinking);
    else if (b.type === "tool_use")
      calls.push({
        id: toolId(b.id),
        type: "function",
        function: { name: toBackendToolName(b.name), arguments: JSON.stringify(b.input ?? {}) },
      });
    else if (b.type === "server_tool_use") texts.push(`[used ${b.name}: ${JSON.stringify(b.input)}]`);
    else if (b.type === "unsupported" && b.original.type === "web_search_tool_result") {
      const results = Array.isArray(b.original.content) ? (b.original.content as Record<string, unknown>[]) : [];
      texts.push(["[search results]", ...results.map((r) => `- ${String(r.title ?? "")} ${String(r.url ?? "")}`)].join("\n"));
    }
  }
  const msg: ChatMessage = { role: "assistant", content: texts.join("") };
  if (calls.length) msg.tool_calls = calls;
  if (profile.reasoningField && reasoning.length) msg[profile.reasoningField] = reasoning.join("");
  return msg;
}
