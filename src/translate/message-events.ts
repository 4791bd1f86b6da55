// A whole Anthropic Message → the event sequence that streams it, so non-streaming passthrough
// answers flow through the same fold as everything else.
import type { AnthropicEvent, BlockDelta, Message, ResponseBlock } from "../protocol/anthropic.ts";

export function messageToEvents(message: Message): AnthropicEvent[] {
  const events: AnthropicEvent[] = [
    { type: "message_start", message: { ...message, content: [], stop_reason: null, stop_sequence: null } },
  ];
  message.content.forEach((block, index) => {
    let empty: ResponseBlock;
    let delta: BlockDelta | null;
    if (block.type === "text") [empty, delta] = [{ ...block, text: "" }, { type: "text_delta", text: block.text }];
    else if (block.type === "thinking")
      [empty, delta] = [{ ...block, thinking: "", signature: "" }, { type: "thinking_delta", thinking: block.thinking }];
    else if (block.type === "tool_use")
      [empty, delta] = [{ ...block, input: {} }, { type: "input_json_delta", partial_json: JSON.stringify(block.input) }];
    else [empty, delta] = [block, null]; // other kinds arrive whole in content_block_start
    events.push({ type: "content_block_start", index, content_block: empty });
    if (delta && !(delta.type === "text_delta" && delta.text === "")) events.push({ type: "content_block_delta", index, delta });
    if (block.type === "thinking" && block.signature)
      events.push({ type: "content_block_delta", index, delta: { type: "signature_delta", signature: block.signature } });
    events.push({ type: "content_block_stop", index });
  });
  events.push({
    type: "message_delta",
    delta: { stop_reason: message.stop_reason ?? "end_turn", stop_sequence: message.stop_sequence },
    usage: message.usage,
  });
  events.push({ type: "message_stop" });
  return events;
}
