// One upstream read's events become one framed string; nothing may follow a terminal event.
import { describe, expect, test } from "bun:test";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
import { TextDeltaEvent } from "../../src/protocol/text-delta.ts";
import { frameEvents } from "../../src/server/respond.ts";

const delta = (text: string): AnthropicEvent => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const stop: AnthropicEvent = { type: "message_stop" };
const error: AnthropicEvent = { type: "error", error: { type: "api_error", message: "x" } };
const frame = (ev: AnthropicEvent) => `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;

describe("frameEvents", () => {
  const cases: [string, AnthropicEvent[], AnthropicEvent[], boolean][] = [
    ["empty batch", [], [], false],
    ["deltas in order", [delta("a"), delta("b"), delta("</script>")], [delta("a"), delta("b"), delta("</script>")], false],
    ["ends at message_stop", [delta("a"), stop], [delta("a"), stop], true],
    ["nothing after message_stop", [stop, delta("late"), error], [stop], true],
    ["nothing after an error", [delta("a"), error, stop], [delta("a"), error], true],
  ];
  for (const [name, batch, written, terminal] of cases)
    test(name, () => expect(frameEvents(batch)).toEqual({ text: written.map(frame).join(""), terminal }));
});

// The translator's text deltas are framed from a template: the bytes must be JSON.stringify's, whatever the text.
describe("TextDeltaEvent framing", () => {
  const texts = ["", "tok1 ", 'quote " and \\ backslash', "line\nbreak\ttab\r\u0000\u001f\u007f", "</script>\u2028\u2029", "emoji 😀 é 中文", "lone \ud800 surrogate \udfff", "\\u0041"];
  for (const [i, text] of texts.entries())
    test(JSON.stringify(text), () => {
      const ev = new TextDeltaEvent(i * 7, text);
      const plain: AnthropicEvent = { type: "content_block_delta", index: i * 7, delta: { type: "text_delta", text } };
      expect(ev.json()).toBe(JSON.stringify(plain));
      expect(JSON.stringify(ev)).toBe(JSON.stringify(plain));
      expect(frameEvents([ev, stop]).text).toBe(frame(plain) + frame(stop));
    });
});
