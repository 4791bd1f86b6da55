import { describe, expect, test } from "bun:test";
import { readSseData, StreamIdleError } from "../../src/backends/sse-reader.ts";

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
});
