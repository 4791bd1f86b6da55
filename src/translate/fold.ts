// Folds a stream of Anthropic events into one Message: how non-streaming requests are answered,
// so both kinds of request share a single code path.
import type { AnthropicEvent, Message, ResponseBlock } from "../protocol/anthropic.ts";
import { anthropicError } from "./errors.ts";

export class MessageFolder {
  private message: Message | null = null;
  private json = new Map<number, string>();

  add(ev: AnthropicEvent): void {
    switch (ev.type) {
      case "message_start":
        this.message = { ...ev.message, content: [] };
        break;
      case "content_block_start":
        this.need().content[ev.index] = { ...ev.content_block } as ResponseBlock;
        break;
      case "content_block_delta": {
        const block = this.need().content[ev.index];
        const d = ev.delta;
        if (block?.type === "text" && d.type === "text_delta") block.text += d.text;
        else if (block?.type === "thinking" && d.type === "thinking_delta") block.thinking += d.thinking;
        else if (block?.type === "thinking" && d.type === "signature_delta") block.signature = d.signature;
        else if (block?.type === "tool_use" && d.type === "input_json_delta")
          this.json.set(ev.index, (this.json.get(ev.index) ?? "") + d.partial_json);
        break;
      }
      case "content_block_stop": {
        const block = this.need().content[ev.index];
        if (block?.type === "tool_use") block.input = JSON.parse(this.json.get(ev.index) || "{}");
        break;
      }
      case "message_delta": {
        const m = this.need();
        m.stop_reason = ev.delta.stop_reason;
        m.stop_sequence = ev.delta.stop_sequence;
        m.usage = { ...m.usage, ...ev.usage };
        break;
      }
      case "error":
        throw anthropicError(ev.error.type, ev.error.message);
      case "message_stop":
      case "ping":
        break;
    }
  }

  result(): Message {
    const m = this.need();
    if (m.stop_reason === null) throw anthropicError("api_error", "upstream stream ended before the message was complete");
    return m;
  }

  private need(): Message {
    if (!this.message) throw anthropicError("api_error", "stream event before message_start");
    return this.message;
  }
}
