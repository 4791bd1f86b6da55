// One upstream read's events become one byte buffer, exactly the UTF-8 of
// `event: <type>\ndata: <JSON.stringify(event)>\n\n` per event; nothing may follow a terminal event.
import { describe, expect, test } from "bun:test";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
import { TextDeltaEvent } from "../../src/protocol/text-delta.ts";
import { frameEventBytes } from "../../src/server/sse-bytes.ts";

const delta = (text: string): AnthropicEvent => ({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const stop: AnthropicEvent = { type: "message_stop" };
const error: AnthropicEvent = { type: "error", error: { type: "api_error", message: "x" } };
const frame = (ev: AnthropicEvent) => `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("frameEventBytes", () => {
  const cases: [string, AnthropicEvent[], AnthropicEvent[], boolean][] = [
    ["empty batch", [], [], false],
    ["deltas in order", [delta("a"), delta("b"), delta("</script>")], [delta("a"), delta("b"), delta("</script>")], false],
    ["ends at message_stop", [delta("a"), stop], [delta("a"), stop], true],
    ["nothing after message_stop", [stop, delta("late"), error], [stop], true],
    ["nothing after an error", [delta("a"), error, stop], [delta("a"), error], true],
    ["non-ASCII in other events", [{ type: "error", error: { type: "api_error", message: "é 中文 😀 \ud800" } }], [{ type: "error", error: { type: "api_error", message: "é 中文 😀 \ud800" } }], true],
  ];
  for (const [name, batch, written, terminal] of cases)
    test(name, () => {
      const framed = frameEventBytes(batch);
      expect(framed.terminal).toBe(terminal);
      expect(framed.bytes).toEqual(utf8(written.map(frame).join("")));
    });
  test("text deltas of several blocks in one batch", () => {
    const evs = [0, 0, 1, 12, 1, 0].map((index, i) => new TextDeltaEvent(index, `t${i}`));
    const plain = evs.map((e): AnthropicEvent => ({ type: "content_block_delta", index: e.index, delta: { type: "text_delta", text: e.delta.text } }));
    expect(frameEventBytes(evs).bytes).toEqual(utf8(plain.map(frame).join("")));
  });
});

// The translator's text deltas are written by hand: the bytes must be JSON.stringify's, whatever the text and index.
describe("TextDeltaEvent bytes", () => {
  const texts = [
    "",
    "tok1 ",
    'quote " and \\ backslash',
    "line\nbreak\ttab\r\u0000\u001f\u007f",
    "</script>\u2028\u2029",
    "emoji 😀 é 中文",
    "lone \ud800 surrogate \udfff",
    "\ud83d",
    "ascii then é",
    "\\u0041",
    " ~!#$%&'()*+,-./0123456789:;<=>?@ABCXYZ[]^_`abcxyz{|}",
    "x".repeat(5000),
    "é".repeat(3000),
    "\u0000".repeat(1000),
  ];
  const indices = [0, 1, 9, 10, 99, 123456, -1, 1.5, NaN, Infinity, 2 ** 53];
  for (const text of texts)
    test(JSON.stringify(text.slice(0, 40)), () => {
      for (const index of indices) {
        const ev = new TextDeltaEvent(index, text);
        const plain: AnthropicEvent = { type: "content_block_delta", index, delta: { type: "text_delta", text } };
        expect(JSON.stringify(ev)).toBe(JSON.stringify(plain));
        expect(frameEventBytes([ev, stop]).bytes).toEqual(utf8(frame(plain) + frame(stop)));
        // Many in one buffer, mixed with other events.
        expect(frameEventBytes([ev, plain, ev, ev]).bytes).toEqual(utf8(frame(plain).repeat(4)));
      }
    });
});
