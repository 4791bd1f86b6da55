// A real web page (headless Chromium, served from another 127.0.0.1 port) tries to use the proxy
// with a "simple" text/plain POST and with a JSON POST: the upstream never receives either. With
// the page's origin allowed, the same page gets through (so the page really reaches the proxy).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Listening } from "../../src/runtime/serve.ts";
import { textReply } from "../helpers/chunks.ts";
import { startProxy } from "../helpers/proxy.ts";
import { ensureCommand } from "../helpers/system-packages.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
beforeAll(async () => {
  ensureCommand("chromium");
  upstream = await startUpstream(() => textReply("forwarded"));
});
afterAll(async () => {
  await upstream.stop();
});

const page = (proxyUrl: string) => `<!doctype html><script>
const body = JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "from a web page" }] });
const attempt = (headers) => fetch(${JSON.stringify(proxyUrl)} + "/v1/messages", { method: "POST", headers, body })
  .then(async (r) => r.status + " " + (await r.text()).slice(0, 80), (e) => "failed: " + e.message);
Promise.all([attempt({ "content-type": "text/plain" }), attempt({ "content-type": "application/json", "x-api-key": "sk-or-stolen" })])
  .then((results) => fetch("/report", { method: "POST", body: JSON.stringify(results) }));
</script>`;

/** A site on another 127.0.0.1 port whose page tries the proxy and reports what it saw. */
function startSite() {
  let proxyUrl = "";
  let report!: (r: string[]) => void;
  const reported = new Promise<string[]>((resolve) => (report = resolve));
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      if (new URL(req.url).pathname === "/report") {
        report(JSON.parse(await req.text()) as string[]);
        return new Response("ok");
      }
      return new Response(page(proxyUrl), { headers: { "content-type": "text/html" } });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  return {
    origin,
    /** Opens the page in Chromium pointed at the proxy; what the page reported. */
    async visit(proxy: Listening): Promise<string[]> {
      proxyUrl = proxy.url;
      const chromium = Bun.spawn(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--user-data-dir=/tmp/anyclaude-chromium-${process.pid}-${server.port}`, `${origin}/`], { stdout: "ignore", stderr: "ignore" });
      try {
        return await Promise.race([reported, chromium.exited.then(() => ["chromium exited before the page reported"])]);
      } finally {
        chromium.kill();
        await chromium.exited;
        await server.stop(true);
      }
    },
  };
}

test("a web page cannot use the proxy (text/plain and JSON)", async () => {
  const proxy = await startProxy({ upstreamUrl: upstream.url });
  try {
    const before = upstream.requests.length;
    const results = await startSite().visit(proxy);
    expect(results).toHaveLength(2);
    // No CORS headers on the 403: the browser gives the page nothing to read.
    for (const r of results) expect(r).toStartWith("failed:");
    expect(upstream.requests.length).toBe(before);
  } finally {
    await proxy.stop();
  }
}, 60_000);

test("the same page gets through once its origin is allowed (the test can fail)", async () => {
  const site = startSite();
  const proxy = await startProxy({ upstreamUrl: upstream.url, app: { allowedOrigins: [site.origin] } });
  try {
    const before = upstream.requests.length;
    const results = await site.visit(proxy);
    expect(results[0]).toStartWith("415 ");
    expect(results[1]).toStartWith("200 ");
    expect(upstream.requests.length).toBe(before + 1);
    expect(upstream.requests.at(-1)!.messages.at(-1)).toEqual({ role: "user", content: "from a web page" });
  } finally {
    await proxy.stop();
  }
}, 60_000);
