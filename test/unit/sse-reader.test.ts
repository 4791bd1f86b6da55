import { describe, expect, test } from "bun:test";
import { readSse, readSseData, SseLineParser, StreamIdleError } from "../../src/backends/sse-reader.ts";

function bodyOf(parts: (string | Uint8Array)[], delayMs = 0): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async start(c) {
      for (const p of parts) {
        if (delayMs) await Bun.sleep(delayMs);
        c.enqueue(typeof p === "string" ? new TextEncoder().encode(p) : p);
      }
      c.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>, idleMs = 0): Promise<string[]> {
  const out: string[] = [];
  for await (const d of readSseData(body, idleMs)) out.push(d);
  return out;
}

describe("readSseData", () => {
  test("LF and CRLF framing, comments, multi-line data, no trailing blank line", async () => {
    const out = await collect(bodyOf([": keepalive 1/10\n\n", "data: a\r\n\r\n", "event: x\ndata: b1\ndata: b2\n\n", "data:c"]));
    expect(out).toEqual(["a", "b1\nb2", "c"]);
  });
  test("a UTF-8 character split across network chunks", async () => {
    const bytes = new TextEncoder().encode('data: {"t":"café 🎉"}\n\n');
    for (let i = 1; i < bytes.length; i++) {
      expect(await collect(bodyOf([bytes.slice(0, i), bytes.slice(i)]))).toEqual(['{"t":"café 🎉"}']);
    }
  });
  test("a stalled upstream raises StreamIdleError", async () => {
    const stalled = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode("data: a\n\n")); } });
    await expect(collect(stalled, 50)).rejects.toBeInstanceOf(StreamIdleError);
  });

  test("lone CR line endings, also split across chunks", async () => {
    expect(await collect(bodyOf(["data: a\r\rdata: b\r", "\r"]))).toEqual(["a", "b"]);
    // A CR at the end of one chunk and LF at the start of the next are one line ending.
    expect(await collect(bodyOf(["data: a\r", "\ndata: b\r\n\r\n"]))).toEqual(["a\nb"]);
  });
  test("a bare `data` line is an empty data line", async () => {
    expect(await collect(bodyOf(["data\ndata: x\n\n", "data\n\n"]))).toEqual(["\nx", ""]);
  });
  test("event names and llama.cpp's error: field", async () => {
    const out: { event: string; data: string }[] = [];
    const body = bodyOf(['event: error\ndata: {"error":{"message":"boom"}}\n\n', 'error: {"code":500,"message":"x"}\n\n', "data: ok\n\n"]);
    for await (const m of readSse(body, 0)) out.push(m);
    expect(out).toEqual([
      { event: "error", data: '{"error":{"message":"boom"}}' },
      { event: "error", data: '{"code":500,"message":"x"}' },
      { event: "message", data: "ok" },
    ]);
  });
  test("llama.cpp's error: line split across reads is still reported", async () => {
    const text = 'data: a\n\nerror: {"code":500,"message":"x"}\n\n';
    for (let i = 1; i < text.length; i++) {
      const out: { event: string; data: string }[] = [];
      for await (const m of readSse(bodyOf([text.slice(0, i), text.slice(i)]), 0)) out.push(m);
      expect(out).toEqual([
        { event: "message", data: "a" },
        { event: "error", data: '{"code":500,"message":"x"}' },
      ]);
    }
  });
  test("every chunking of a stream with mixed line endings parses the same", () => {
    const text = ": ping\r\ndata: one\rdata: two\n\nevent: x\r\ndata: three\r\n\r\n";
    const parse = (parts: string[]) => {
      const p = new SseLineParser();
      return [...parts.flatMap((x) => [...p.feed(x)]), ...p.end()];
    };
    const whole = parse([text]);
    expect(whole).toEqual([{ event: "message", data: "one\ntwo" }, { event: "x", data: "three" }]);
    for (let i = 1; i < text.length; i++) expect(parse([text.slice(0, i), text.slice(i)])).toEqual(whole);
  });
});
