// The upstream body: JSON.stringify(request), byte for byte, reusing the JSON of the parts made
// once per unchanged list and frozen (request-tools.ts, system-message.ts): the tool list (~30 KB
// in Claude Code's requests) and the system message (~7 KB). Pure.
import type { ChatMessage, ChatRequest } from "../protocol/openai.ts";

/** The JSON of a deep-frozen value, made once: a frozen value cannot change after. */
const frozenJson = new WeakMap<object, string>();

function jsonOf(value: object): string {
  let json = frozenJson.get(value);
  if (json === undefined) frozenJson.set(value, (json = JSON.stringify(value)));
  return json;
}

const frozenHead = (messages: readonly ChatMessage[]) => messages[0] !== undefined && Object.isFrozen(messages[0]);

export function chatRequestJson(request: ChatRequest): string {
  const tools = request.tools && Object.isFrozen(request.tools) ? request.tools : undefined;
  const head = frozenHead(request.messages);
  if (!tools && !head) return JSON.stringify(request);
  let out = "";
  for (const [key, value] of Object.entries(request)) {
    if (value === undefined) continue; // JSON.stringify leaves these out
    const json = key === "tools" && tools ? jsonOf(tools) : key === "messages" && head ? messagesJson(request.messages) : JSON.stringify(value);
    out += `${out ? "," : "{"}${JSON.stringify(key)}:${json}`;
  }
  return `${out || "{"}}`;
}

/** JSON.stringify(messages) with the first (frozen) message's JSON reused. */
function messagesJson(messages: readonly ChatMessage[]): string {
  const first = jsonOf(messages[0]!);
  return messages.length === 1 ? `[${first}]` : `[${first},${JSON.stringify(messages.slice(1)).slice(1)}`;
}
