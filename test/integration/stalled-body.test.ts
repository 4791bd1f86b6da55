// An upstream that sends its headers and then goes silent in the body of a JSON answer or of an
// error: the idle limit ends the wait, on fetch's path and on node:http's, and the upstream sees
// its request closed; the same for the Anthropic passthrough, which also bounds the wait for headers.
// (An SSE body's idle limit: node-post.test.ts.)
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AnthropicBackend } from "../../src/backends/anthropic.ts";
import { decodeBatches } from "../../src/backends/decode.ts";
import { StreamIdleError } from "../../src/backends/sse-reader.ts";
import { post } from "../../src/backends/transport.ts";
import { httpPost, nodePost, type PostInit, type PostResponse } from "../../src/runtime/http-post.ts";
import { AnthropicError } from "../../src/translate/errors.ts";

let server: Server;
let base = "";
let closed = 0;
/** Closes of requests to the silent path alone: another test's connection may close late. */
let silentClosed = 0;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    for await (const _ of req);
    res.on("close", () => closed++);
    if (req.url?.startsWith("/silent")) return void res.on("close", () => silentClosed++); // takes the request, never answers
    // Headers, the start of a body, then nothing.
    res.writeHead(req.url?.startsWith("/error") ? 500 : 200, { "content-type": "application/json" });
    res.write('{"id":');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const init = (): PostInit => ({ headers: { "content-type": "application/json" }, body: "{}", signal: new AbortController().signal, headerTimeoutMs: 5000 });
const settle = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await Bun.sleep(10);
};
const IDLE_MS = 200;

describe.each([
  ["fetch", httpPost],
  ["node:http", nodePost],
] as [string, (url: string, init: PostInit) => Promise<PostResponse>][])("%s: a body that stalls after the headers", (_, postWith) => {
  test("a JSON answer ends with the idle error, not a wait for ever", async () => {
    const before = closed;
    const response = await postWith(`${base}/json`, init());
    const started = Date.now();
    const read = (async () => {
      for await (const _ of decodeBatches(response, { backend: "b", idleMs: IDLE_MS, streamRequested: false }));
    })();
    const outcome = await Promise.race([read.then(() => "ended", (e) => e), Bun.sleep(3000).then(() => "still waiting")]);
    expect(outcome).toBeInstanceOf(StreamIdleError);
    expect(Date.now() - started).toBeLessThan(2000);
    await settle(() => closed > before);
    expect(closed).toBe(before + 1);
  });
});

test("an error status whose body stalls is answered as that status once the idle limit passes", async () => {
  const logger = { debug() {} } as never;
  const attempt = post("{}", new AbortController().signal, { backend: "b", url: `${base}/error`, headers: {}, logger, idleMs: IDLE_MS, retries: 0, retryBaseMs: 1 });
  const outcome = await Promise.race([attempt, Bun.sleep(3000).then(() => "still waiting" as const)]);
  expect(outcome).not.toBe("still waiting");
  if (outcome === "still waiting" || outcome.ok) throw new Error("no error");
  expect(outcome.error.status).toBe(500);
});

describe("the Anthropic passthrough: a body that stalls after the headers", () => {
  const backend = (path: string) => new AnthropicBackend({ name: "local", baseUrl: `${base}${path}`, official: false, logger: { debug() {} } as never, idleTimeoutMs: IDLE_MS });
  const request = { model: "m", max_tokens: 10, messages: [{ role: "user" as const, content: "hi" }] };
  for (const [name, path, status] of [
    ["a JSON message", "/json", 529],
    ["an error's body", "/error", 500],
  ] as const) {
    test(`${name} fails with a well-formed error once the idle limit passes`, async () => {
      const sent = (async () => {
        for await (const _ of backend(path).send(request, { model: "m", signal: new AbortController().signal }));
      })();
      const outcome = await Promise.race([sent.then(() => "ended", (e) => e), Bun.sleep(3000).then(() => "still waiting")]);
      expect(outcome).toBeInstanceOf(AnthropicError);
      expect((outcome as AnthropicError).status).toBe(status);
    });
  }

  test("a server that never sends headers fails with the timeout error once the idle limit passes", async () => {
    const sent = (async () => {
      for await (const _ of backend("/silent").send(request, { model: "m", signal: new AbortController().signal }));
    })();
    const outcome = await Promise.race([sent.then(() => "ended", (e) => e), Bun.sleep(3000).then(() => "still waiting")]);
    expect(outcome).toBeInstanceOf(AnthropicError);
    expect((outcome as AnthropicError).type).toBe("timeout_error");
    await settle(() => silentClosed > 0);
    expect(silentClosed).toBe(1);
  });
});
