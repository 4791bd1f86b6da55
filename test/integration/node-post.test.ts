// The Node upstream POST (node:http, the body read from the IncomingMessage) against fetch, on the
// same answers: what transport.ts and decode.ts read of a response must not depend on the runtime.
// Under bun test node:http is Bun's; the Node bundle's e2e tests run the same path under Node.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { getEventListeners } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { bodyText } from "../../src/backends/body-text.ts";
import { decodeBatches } from "../../src/backends/decode.ts";
import { readSseBatches, StreamIdleError } from "../../src/backends/sse-reader.ts";
import { readerOf } from "../../src/runtime/byte-stream.ts";
import { HeaderTimeoutError, httpPost, nodePost, type PostInit, type PostResponse } from "../../src/runtime/http-post.ts";
import { chunk, text } from "../helpers/chunks.ts";
import { type Reply, startUpstream, type Upstream } from "../helpers/upstream.ts";

const init = (signal = new AbortController().signal, headerTimeoutMs = 10_000): PostInit => ({ headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "m", messages: [] }), signal, headerTimeoutMs });
const viaFetch = (url: string, { headers, body, signal }: PostInit): Promise<Response> => fetch(url, { method: "POST", headers, body, signal });
/** Long enough never to cut a test's body. */
const IDLE_MS = 10_000;

async function bodyBytes(res: PostResponse): Promise<number[]> {
  if (!res.body) return [];
  const reader = readerOf(res.body);
  const out: number[] = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(...r.value);
  return out;
}

const REPLIES: [string, Reply][] = [
  ["an SSE stream", { kind: "sse", frames: [chunk({ role: "assistant", content: "" }), text("héllo 🎉"), "[DONE]"] }],
  ["a JSON answer", { kind: "json", body: { id: "x", choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }] } }],
  ["429 with Retry-After in seconds and milliseconds", { kind: "text", status: 429, body: '{"error":{"message":"slow down"}}', headers: { "retry-after": "2", "retry-after-ms": "1500" } }],
  ["503 with Retry-After as a date", { kind: "text", status: 503, body: "busy", headers: { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" } }],
  ["500 with a plain text body", { kind: "text", status: 500, body: "boom" }],
  ["400 whose body starts with a BOM", { kind: "text", status: 400, body: '\uFEFF{"error":{"message":"bad"}}' }],
  ["204 without a body", { kind: "text", status: 204, body: "" }],
];

describe("nodePost answers as fetch does", () => {
  for (const [name, reply] of REPLIES) {
    test(name, async () => {
      const upstream = await startUpstream([reply]);
      try {
        const url = `${upstream.url}/chat/completions`;
        const [a, b] = [await viaFetch(url, init()), await nodePost(url, init())];
        const seen = (r: PostResponse) => ({
          status: r.status,
          ok: r.ok,
          headers: ["content-type", "retry-after", "retry-after-ms", "x-not-sent"].map((h) => r.headers.get(h)),
          hasBody: r.body !== null,
        });
        expect(seen(b)).toEqual(seen(a));
        const [fetched, posted] = [await viaFetch(url, init()), await nodePost(url, init())];
        expect(await bodyText(posted, IDLE_MS)).toBe(await fetched.text());
        expect(await bodyBytes(b)).toEqual(await bodyBytes(a));
      } finally {
        await upstream.stop();
      }
    });
  }
});

describe("nodePost's body", () => {
  let upstream: Upstream;
  beforeAll(async () => {
    upstream = await startUpstream([{ kind: "sse", frames: [chunk({ role: "assistant", content: "" }), text("still thinking")], stall: true }]);
  });
  afterAll(() => upstream.stop());

  test("a silent upstream hits the idle limit, and its request is closed", async () => {
    const before = upstream.aborted;
    const res = await nodePost(`${upstream.url}/chat/completions`, init());
    const reading = (async () => {
      for await (const _ of readSseBatches(readerOf(res.body!), 100));
    })();
    await expect(reading).rejects.toBeInstanceOf(StreamIdleError);
    for (let i = 0; i < 100 && upstream.aborted === before; i++) await Bun.sleep(10);
    expect(upstream.aborted).toBe(before + 1);
  });

  test("the request's signal (the client went away) fails the read and closes the request", async () => {
    const before = upstream.aborted;
    const client = new AbortController();
    const res = await nodePost(`${upstream.url}/chat/completions`, init(client.signal));
    const reader = readerOf(res.body!);
    await reader.read();
    client.abort();
    const rest = (async () => {
      while (!(await reader.read()).done);
    })();
    await expect(rest).rejects.toThrow();
    for (let i = 0; i < 100 && upstream.aborted === before; i++) await Bun.sleep(10);
    expect(upstream.aborted).toBe(before + 1);
  });
});

describe("the wait for response headers", () => {
  // httpPost is fetch under bun test; nodePost is what the Node bundle runs.
  for (const [name, post] of [["fetch", httpPost], ["node:http", nodePost]] as const) {
    test(`${name}: no headers within the bound fails with HeaderTimeoutError and closes the request`, async () => {
      const upstream = await startUpstream([{ kind: "json", body: {}, headerDelayMs: 2000 }]);
      try {
        await expect(post(`${upstream.url}/chat/completions`, init(undefined, 100))).rejects.toBeInstanceOf(HeaderTimeoutError);
        for (let i = 0; i < 100 && upstream.aborted === 0; i++) await Bun.sleep(20);
        expect(upstream.aborted).toBe(1);
      } finally {
        await upstream.stop();
      }
    });
    test(`${name}: the client going away while it waits fails the POST, not as a timeout`, async () => {
      const upstream = await startUpstream([{ kind: "json", body: {}, headerDelayMs: 2000 }]);
      try {
        const client = new AbortController();
        const posting = post(`${upstream.url}/chat/completions`, init(client.signal, 1000));
        setTimeout(() => client.abort(), 50);
        const error = await posting.then(() => null, (e: unknown) => e);
        expect(error).toBeInstanceOf(Error);
        expect(error).not.toBeInstanceOf(HeaderTimeoutError);
      } finally {
        await upstream.stop();
      }
    });
    test(`${name}: headers in time clear the bound; a slow body is the reader's business`, async () => {
      const upstream = await startUpstream([{ kind: "sse", frames: [{ delayMs: 200 }, text("late"), "[DONE]"] }]);
      try {
        const res = await post(`${upstream.url}/chat/completions`, init(undefined, 100));
        expect(await bodyText(res, IDLE_MS)).toContain("late");
      } finally {
        await upstream.stop();
      }
    });
  }
});

test("nodePost lets go of the client's signal once its request closes (the socket may serve the next request)", async () => {
  const upstream = await startUpstream([{ kind: "sse", frames: [text("hi"), "[DONE]"] }]);
  try {
    const client = new AbortController();
    const res = await nodePost(`${upstream.url}/chat/completions`, init(client.signal));
    expect(getEventListeners(client.signal, "abort")).toHaveLength(1);
    await bodyText(res, IDLE_MS);
    for (let i = 0; i < 50 && getEventListeners(client.signal, "abort").length; i++) await Bun.sleep(10);
    expect(getEventListeners(client.signal, "abort")).toHaveLength(0);
  } finally {
    await upstream.stop();
  }
});

for (const [name, post] of [["fetch", httpPost], ["node:http", nodePost]] as const)
  test(`a client already gone: the POST fails at once, nothing sent (${name})`, async () => {
    const upstream = await startUpstream([{ kind: "text", status: 200, body: "never asked" }]);
    try {
      const client = new AbortController();
      client.abort();
      await expect(post(`${upstream.url}/chat/completions`, init(client.signal))).rejects.toThrow(/abort/i);
      await Bun.sleep(50);
      expect(upstream.requests).toHaveLength(0);
    } finally {
      await upstream.stop();
    }
  });

test("nodePost to two upstreams in turn reaches each", async () => {
  const [a, b] = [await startUpstream([{ kind: "text", status: 200, body: "a" }]), await startUpstream([{ kind: "text", status: 200, body: "b" }])];
  try {
    const answers = [];
    for (const u of [a, b, a]) answers.push(await bodyText(await nodePost(`${u.url}/chat/completions`, init()), IDLE_MS));
    expect(answers).toEqual(["a", "b", "a"]);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});

describe("an answer read up to [DONE] leaves the connection open for the next request", () => {
  // Decode stops at [DONE], before the end of the body is seen: with it in the same read, or a moment after.
  for (const [name, post] of [["fetch", httpPost], ["node:http", nodePost]] as const)
    for (const endAfterMs of [0, 20])
      test(`${name}, the end ${endAfterMs ? `${endAfterMs} ms after [DONE]` : "with [DONE]"}`, async () => {
        let connections = 0;
        const server = createServer((_req, res) => {
          res.writeHead(200, { "content-type": "text/event-stream" });
          const answer = `data: ${text("hi")}\n\ndata: [DONE]\n\n`;
          if (endAfterMs) {
            res.write(answer);
            setTimeout(() => res.end(), endAfterMs);
          } else res.end(answer);
        });
        server.on("connection", () => connections++);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        try {
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
          for (let i = 0; i < 3; i++) {
            const items = [];
            for await (const batch of decodeBatches(await post(url, init()), { backend: "b", idleMs: 1000, streamRequested: true })) items.push(...batch);
            expect(items.at(-1)).toEqual({ kind: "end", complete: true });
            await Bun.sleep(endAfterMs + 30);
          }
          expect(connections).toBe(1);
        } finally {
          server.closeAllConnections();
          server.close();
        }
      });
});
