// The Node path of readerOf (node:http's IncomingMessage read from its events) against the web
// stream path fetch takes: the same chunks, batches, end, failures and idle limit.
import { describe, expect, test } from "bun:test";
import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { readSseBatches, type SseMessage, StreamIdleError } from "../../src/backends/sse-reader.ts";
import { type NodeByteStream, readerOf } from "../../src/runtime/byte-stream.ts";

const bytes = (p: string | Uint8Array) => (typeof p === "string" ? new TextEncoder().encode(p) : p);

function webBody(parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of parts) c.enqueue(bytes(p));
      c.close();
    },
  });
}

/** A Node Readable that gives each part as one chunk, as a socket read would. */
const nodeBody = (parts: (string | Uint8Array)[]) => Readable.from(parts.map((p) => Buffer.from(bytes(p))));

async function batches(body: ReadableStream<Uint8Array> | NodeByteStream, idleMs = 0): Promise<SseMessage[][]> {
  const out: SseMessage[][] = [];
  for await (const b of readSseBatches(readerOf(body), idleMs)) out.push(b);
  return out;
}

/** A stand-in IncomingMessage whose events the test sends, recording what the reader asks of it. */
class FakeMessage extends EventEmitter implements NodeByteStream {
  calls: string[] = [];
  /** A destroyed IncomingMessage emits 'close' on a later tick; false: never. */
  closesWhenDestroyed = true;
  constructor(public complete: boolean) {
    super();
  }
  pause() {
    this.calls.push("pause");
  }
  resume() {
    this.calls.push("resume");
  }
  destroyed = false;
  destroy() {
    this.calls.push("destroy");
    this.destroyed = true;
    if (this.closesWhenDestroyed) queueMicrotask(() => this.emit("close"));
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

const UTF8 = 'data: {"t":"café 🎉"}\n\n';
const STREAMS: [string, (string | Uint8Array)[]][] = [
  ["single-line data messages", ["data: a\n\ndata: b\n\n", "data: c\n\n"]],
  ["a message split across reads", ["data: {\"x\"", ":1}\n", "\ndata: [DONE]\n\n"]],
  ["comments, CRLF, event names, multi-line data", [": ping\r\n\r\n", "event: x\r\ndata: 1\r\ndata: 2\r\n\r\n", "data: y"]],
  ["llama.cpp's error: field", ['data: a\n\nerror: {"code":500', ',"message":"x"}\n\n']],
  ["a character split across reads", [bytes(UTF8).slice(0, 16), bytes(UTF8).slice(16)]],
  ["an empty read", ["data: a\n\n", "", "data: b\n\n"]],
  ["no reads at all", []],
];

describe("readSseBatches reads a Node stream as it reads a web stream", () => {
  for (const [name, parts] of STREAMS) {
    test(name, async () => {
      const web = await batches(webBody(parts));
      expect(await batches(nodeBody(parts))).toEqual(web);
    });
  }
  test("every two-read chunking of a mixed stream", async () => {
    const text = ': ping\r\ndata: one\rdata: two\n\nevent: x\r\ndata: three\r\n\r\ndata: {"t":"é"}\n\n';
    for (let i = 1; i < text.length; i++) {
      const parts = [text.slice(0, i), text.slice(i)];
      expect(await batches(nodeBody(parts))).toEqual(await batches(webBody(parts)));
    }
  });
});

describe("the readers: Node's, and fetch's web stream for release", () => {
  test("chunks one per read in their order, then the end", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    m.emit("data", bytes("a"));
    m.emit("data", bytes("b"));
    m.emit("end");
    const reads = [await reader.read(), await reader.read(), await reader.read()];
    expect(reads.map((r) => (r.done ? "end" : new TextDecoder().decode(r.value)))).toEqual(["a", "b", "end"]);
  });
  test("a read waiting for data wakes up with it", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    const pending = reader.read();
    await tick();
    m.emit("data", bytes("late"));
    expect(new TextDecoder().decode((await pending).value)).toBe("late");
  });
  test("an error fails the read in flight", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    const pending = reader.read();
    m.emit("error", new Error("socket hang up"));
    await expect(pending).rejects.toThrow("socket hang up");
  });
  test("a close without the end (the socket cut mid-message) fails the read", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    const pending = reader.read();
    m.emit("close");
    await expect(pending).rejects.toThrow("closed before it ended");
  });
  test("a stream cut before the reader came (its close already gone) fails the first read", async () => {
    const m = new FakeMessage(false);
    m.destroy();
    await Bun.sleep(0);
    await expect(readerOf(m).read()).rejects.toThrow("closed before it ended");
  });
  test("cancel on a message still arriving destroys it (the upstream sees its request closed); the read in flight ends", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    const pending = reader.read();
    reader.cancel();
    expect(await pending).toEqual({ done: true, value: undefined });
    await tick();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(m.calls).toEqual(["destroy"]);
  });
  test("cancel ends the read in flight itself, not only through the stream's close", async () => {
    const m = new FakeMessage(false);
    m.closesWhenDestroyed = false;
    const reader = readerOf(m);
    const pending = reader.read();
    reader.cancel();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
  test("cancel on a message that fully arrived drains it instead: its connection stays open for the next request", async () => {
    const m = new FakeMessage(true);
    const reader = readerOf(m);
    m.emit("data", bytes("data: [DONE]\n\n"));
    await reader.read();
    reader.cancel();
    expect(m.calls).toEqual(["resume"]);
  });
  test("release of a message still arriving lets the rest in and drops it; its end keeps the connection", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m, 50);
    m.emit("data", bytes("data: [DONE]\n\n"));
    await reader.read();
    reader.release();
    m.emit("data", bytes("dropped"));
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    m.emit("end");
    m.emit("close");
    await Bun.sleep(80);
    expect(m.calls).toEqual(["resume"]);
  });
  test("a released message that does not end in time is cut", async () => {
    const m = new FakeMessage(false);
    readerOf(m, 30).release();
    await Bun.sleep(10);
    expect(m.calls).toEqual(["resume"]);
    await Bun.sleep(60);
    expect(m.calls).toEqual(["resume", "destroy"]);
  });
  test("release of a web stream reads it to its end, and a cancel after does nothing", async () => {
    let cancelled = false;
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => (++pulls < 3 ? c.enqueue(bytes("rest")) : c.close()),
      cancel: () => void (cancelled = true),
    });
    const reader = readerOf(body, 1000);
    reader.release();
    reader.cancel();
    await Bun.sleep(20);
    expect([pulls, cancelled]).toEqual([3, false]);
  });
  test("a released web stream that does not end in time is cancelled", async () => {
    let cancelled = false;
    readerOf(new ReadableStream<Uint8Array>({ cancel: () => void (cancelled = true) }), 30).release();
    await Bun.sleep(10);
    expect(cancelled).toBe(false);
    await Bun.sleep(60);
    expect(cancelled).toBe(true);
  });
  test("cancel after the end does nothing", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    m.emit("end");
    expect((await reader.read()).done).toBe(true);
    reader.cancel();
    expect(m.calls).toEqual([]);
  });
  test("more than 64 KB unread pauses the stream; reading it down resumes it", async () => {
    const m = new FakeMessage(false);
    const reader = readerOf(m);
    for (let i = 0; i < 5; i++) m.emit("data", new Uint8Array(16 * 1024));
    expect(m.calls).toEqual(["pause"]);
    await reader.read();
    await reader.read();
    expect(m.calls).toEqual(["pause"]); // 48 KB left
    await reader.read();
    expect(m.calls).toEqual(["pause", "resume"]); // 32 KB left: half the limit
  });
  test("a silent stream hits the idle limit and is destroyed", async () => {
    const m = new FakeMessage(false);
    const reading = batches(m, 30);
    m.emit("data", bytes("data: a\n\n"));
    await expect(reading).rejects.toBeInstanceOf(StreamIdleError);
    expect(m.calls).toEqual(["destroy"]);
  });
});
