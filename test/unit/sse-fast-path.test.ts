// The SSE fast path must cut exactly the messages eventsource-parser alone cuts, read by read:
// every streamed wire fixture and frozen scenario and adversarial streams, at every split point.
import { describe, expect, test } from "bun:test";
import { createParser, type ParseError } from "eventsource-parser";
import { SseLineParser, type SseMessage } from "../../src/backends/sse-reader.ts";
import { loadGoldens } from "../helpers/golden.ts";
import { loadWireCorpus } from "../helpers/wire-corpus.ts";

/**
 * The definition: eventsource-parser, with sse-reader.ts's additions (error fields, the end), fed whole
 * lines (it drops a line split across feeds whose start is no known field, llama.cpp's `error:` among them).
 */
class Reference {
  private partial = "";
  private out: SseMessage[] = [];
  private readonly parser = createParser({
    onEvent: (m) => this.out.push({ event: m.event || "message", data: m.data }),
    onError: (e: ParseError) => {
      if (e.type === "unknown-field" && e.field === "error" && e.value != null) this.out.push({ event: "error", data: e.value });
    },
  });
  feed(text: string): SseMessage[] {
    const lines = (this.partial + text).split(/(?<=\r|\n)/);
    this.partial = /[\r\n]$/.test(lines.at(-1)!) ? "" : lines.pop()!;
    for (const line of lines) this.parser.feed(line);
    return this.drain();
  }
  end(): SseMessage[] {
    this.parser.feed(`${this.partial}\n\n`);
    this.parser.reset();
    return this.drain();
  }
  private drain(): SseMessage[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}

/** The messages of each read, and of the end. */
function run(p: { feed(t: string): SseMessage[]; end(): SseMessage[] }, parts: string[]): SseMessage[][] {
  return [...parts.map((t) => p.feed(t)), p.end()];
}

function agree(parts: string[]): void {
  const got = run(new SseLineParser(), parts);
  expect(got).toEqual(run(new Reference(), parts));
  // And the messages are those of the whole text in one feed.
  expect(got.flat()).toEqual(run(new Reference(), [parts.join("")]).flat());
}

/** Whole, in two reads at every split point (of a long stream: the first 400 and 400 more; 40 of a very long one), and a char at a time (short streams). */
function agreeEverySplit(text: string): void {
  agree([text]);
  const points = text.length > 20_000 ? 40 : 400;
  const step = Math.max(1, Math.floor(text.length / points));
  for (let i = 0; i <= text.length; i += i < points ? 1 : step) agree([text.slice(0, i), text.slice(i)]);
  if (text.length <= 400) agree([...text]);
  for (const size of text.length > 20_000 ? [1000] : [3, 7, 64]) {
    const parts: string[] = [];
    for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
    agree(parts);
  }
}

function corpusStreams(): string[] {
  const out: string[] = [];
  for (const f of loadWireCorpus())
    for (const r of f.responses) {
      if (!(r.headers["content-type"] ?? "").includes("event-stream")) continue;
      const bytes = Buffer.concat(r.body.map((b) => (typeof b === "string" ? Buffer.from(b) : "base64" in b ? Buffer.from(b.base64, "base64") : Buffer.alloc(0))));
      out.push(bytes.toString("utf8"));
    }
  for (const { golden } of loadGoldens())
    for (const reply of golden.replies)
      if (reply.kind === "sse") out.push(reply.frames.map((f) => (typeof f === "string" ? `data: ${f}\n\n` : "raw" in f ? Buffer.from(f.raw).toString("utf8") : "")).join(""));
  return out;
}

describe("the SSE fast path agrees with eventsource-parser", () => {
  test("every streamed wire fixture and frozen scenario, at every split point", () => {
    const streams = corpusStreams();
    expect(streams.length).toBeGreaterThan(50);
    for (const text of streams) agreeEverySplit(text);
  });

  const streams: [string, string][] = [
    ["plain", "data: a\n\ndata: b\n\n"],
    ["no space, two spaces, empty values", "data:a\n\ndata:  a\n\ndata:\n\ndata: \n\n"],
    ["comments and blank lines", ": ping\n\n:\n\n\ndata: a\n\n: x\ndata: b\n\n\n\n"],
    ["a comment before data in one group", ": keep-alive\ndata: a\n\n"],
    ["no final blank line", "data: a\n\ndata: b\n"],
    ["no final line ending", "data: a\n\ndata: b"],
    ["an event name", "data: a\n\nevent: error\ndata: x\n\ndata: b\n\n"],
    ["multi-line data", "data: a\n\ndata: b\ndata: c\n\ndata: d\n\n"],
    ["llama.cpp's error field", 'data: a\n\nerror: {"message":"x"}\n\ndata: b\n\n'],
    ["llama.cpp's error field at the end without a blank line", 'data: a\n\nerror: {"message":"x"}'],
    ["id and retry", "data: a\n\nid: 1\ndata: b\n\nretry: 10\n\ndata: c\n\n"],
    ["CRLF from the start", "data: a\r\n\r\ndata: b\r\n\r\n"],
    ["lone CR", "data: a\r\rdata: b\r\r"],
    ["CR after fast messages", "data: a\n\ndata: b\n\ndata: c\r\n\r\ndata: d\n\n"],
    ["CR inside a data line", "data: a\n\ndata: b\rc\n\n"],
    ["a BOM at the start", "\uFEFFdata: a\n\n"],
    ["a BOM after a message", "data: a\n\n\uFEFFdata: b\n\n"],
    ["a BOM after a comment", ": c\n\uFEFFdata: x\n\n"],
    ["a BOM after a blank line", "\n\uFEFFdata: x\n\n"],
    ["a field without colon", "data: a\n\ndata\n\ndata: b\n\n"],
    ["near misses of data:", "data: a\n\ndat: a\n\nDATA: b\n\n data: c\n\ndata: d\n\n"],
    ["data: inside a value", "data: data: x\n\ndata: : y\n\n"],
    ["JSON chunks", 'data: {"choices":[{"delta":{"content":"a\\n\\"b"}}]}\n\ndata: [DONE]\n\n'],
    ["non-ASCII", "data: é 中文 😀\n\ndata: \u2028\n\n"],
    ["only blank lines", "\n\n\n\n"],
    ["empty", ""],
    ["event then fast lines", "event: x\ndata: a\n\ndata: b\n\ndata: c\n\n"],
  ];
  for (const [name, text] of streams) test(name, () => agreeEverySplit(text));

  test("a long line across many reads", () => {
    const long = `data: ${"x".repeat(20000)}\n\n`;
    const parts: string[] = [];
    for (let i = 0; i < long.length; i += 997) parts.push(long.slice(i, i + 997));
    agree(["data: a\n\n", ...parts, "data: b\n\n"]);
    agree([...parts, "", "\n"]);
  });
});
