// Held-out attack on issue 9 (5): a base URL with user:password@ or ?api_key= must never come back
// to the client inside an error ("unreachable at …"), streaming or not, for any backend kind.
import { afterAll, expect, test } from "bun:test";
import { AnthropicBackend } from "../../src/backends/anthropic.ts";
import { createApp } from "../../src/server/app.ts";
import { listen, type Listening } from "../../src/runtime/serve.ts";
import { quietLogger, startProxy } from "../helpers/proxy.ts";
import { startUpstream } from "../helpers/upstream.ts";

// Port 9 (discard) on 127.0.0.1: nothing listens there in the test environment, so the connect fails.
const URLS = ["http://me:hunter2@127.0.0.1:9/v1", "http://127.0.0.1:9/v1?api_key=hunter2", "http://127.0.0.1:9/v1?token=hunter2&x=1"];
const body = (stream: boolean) => JSON.stringify({ model: "claude-x", max_tokens: 5, stream, messages: [{ role: "user", content: "hi" }] });
const open: Listening[] = [];
afterAll(async () => {
  for (const l of open) await l.stop();
});

async function ask(proxy: Listening, stream: boolean) {
  const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: body(stream) });
  return { status: res.status, text: await res.text() };
}

for (const url of URLS) {
  for (const stream of [false, true]) {
    test(`openai-compatible at ${url.replace("hunter2", "…")}, stream=${stream}: error without the credential`, async () => {
      const proxy = await startProxy({ upstreamUrl: url, backend: { retries: 0 } });
      open.push(proxy);
      const { status, text } = await ask(proxy, stream);
      expect(status).toBe(500);
      expect(text).toContain("unreachable at http://");
      expect(text).toContain("<redacted>");
      expect(text).not.toContain("hunter2");
    });
  }
  test(`anthropic passthrough at ${url.replace("hunter2", "…")}: error without the credential`, async () => {
    const logger = quietLogger();
    const backend = new AnthropicBackend({ name: "anthropic", official: false, baseUrl: url.replace("/v1", ""), apiKey: "sk-ant-x", logger });
    const proxy = await listen(createApp({ backend, logger, routing: { model: "m" } }).fetch, { hostname: "127.0.0.1", port: 0 });
    open.push(proxy);
    const { text } = await ask(proxy, false);
    expect(text).toContain("unreachable at http://");
    expect(text).not.toContain("hunter2");
  });
}

// Some servers quote the key they refused; that quote must not travel on to the client or a log.
test("an upstream 401 that echoes our key: the client's error has it redacted, streaming or not", async () => {
  const KEY = "sk-or-v1-0123456789abcdef0123";
  const upstream = await startUpstream(() => ({ kind: "json", status: 401, body: { error: { message: `Invalid API key: ${KEY} (Authorization: Bearer ${KEY})`, code: 401 } } }));
  const proxy = await startProxy({ upstreamUrl: upstream.url, backend: { apiKey: KEY } });
  open.push(proxy, { url: upstream.url, port: 0, stop: () => upstream.stop() });
  for (const stream of [false, true]) {
    const { status, text } = await ask(proxy, stream);
    expect(status).toBe(401);
    expect(text).toContain("Invalid API key: [redacted]");
    expect(text).not.toContain("0123456789abcdef");
  }
  expect(upstream.headers[0]!.authorization).toBe(`Bearer ${KEY}`);
});
