// Held-out attack on issue 9 (3): a hostile page in real headless Chromium tries every way a page
// can reach a localhost service without CORS: no-cors fetch, a text/plain form whose body is JSON,
// sendBeacon with a JSON Blob, a JSON fetch (preflight), a sandboxed iframe (Origin: null),
// <img>/<script> GETs of /v1/models, count_tokens, via 127.0.0.1 and localhost. The proxy side
// records what arrived: every request is refused with a well-formed Anthropic error, none reaches
// the upstream, and the page can read nothing.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createConsola } from "consola";
import { OpenAICompatibleBackend } from "../../src/backends/openai-compatible.ts";
import { PROFILES } from "../../src/backends/profiles.ts";
import { listen } from "../../src/runtime/serve.ts";
import { createApp } from "../../src/server/app.ts";
import { textReply } from "../helpers/chunks.ts";
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

interface Seen {
  method: string;
  path: string;
  origin: string | null;
  site: string | null;
  status: number;
  body: string;
}

/** The real app on 127.0.0.1:0, recording each request it answered. */
async function recordingProxy() {
  const logger = createConsola({ level: -999 });
  const backend = new OpenAICompatibleBackend({ profile: PROFILES.openai, baseUrl: upstream.url, logger, retryBaseMs: 10 });
  const app = createApp({ backend, logger, routing: { model: "test-model" }, loopbackHostOnly: true });
  const seen: Seen[] = [];
  const proxy = await listen(
    async (req) => {
      const res = await app.fetch(req);
      const body = await res.clone().text();
      const h = req.headers;
      seen.push({ method: req.method, path: new URL(req.url).pathname, origin: h.get("origin"), site: h.get("sec-fetch-site"), status: res.status, body });
      return res;
    },
    { hostname: "127.0.0.1", port: 0 },
  );
  return { proxy, seen };
}

const page = (port: number) => `<!doctype html><body><script>
const json = JSON.stringify({ model: "claude-x", max_tokens: 5, messages: [{ role: "user", content: "from a web page" }] });
const bases = ["http://127.0.0.1:${port}", "http://localhost:${port}"];
const tries = [];
const note = (name, p) => tries.push(p.then(async (r) => name + ": " + r.type + " " + r.status + " " + (await r.text().catch(() => "")).slice(0, 40), (e) => name + ": failed"));
for (const base of bases) {
  note("no-cors text/plain", fetch(base + "/v1/messages", { method: "POST", mode: "no-cors", headers: { "content-type": "text/plain" }, body: json }));
  note("no-cors count_tokens", fetch(base + "/v1/messages/count_tokens", { method: "POST", mode: "no-cors", body: json }));
  note("cors JSON (preflight)", fetch(base + "/v1/messages", { method: "POST", headers: { "content-type": "application/json" }, body: json }));
  note("cors GET models", fetch(base + "/v1/models"));
  note("no-cors GET models", fetch(base + "/v1/models", { mode: "no-cors" }));
  try { navigator.sendBeacon(base + "/v1/messages", new Blob([json], { type: "application/json" })); } catch (e) {}
  navigator.sendBeacon(base + "/v1/messages", new Blob([json], { type: "text/plain" }));
  const img = new Image(); img.src = base + "/v1/models";
  const script = document.createElement("script"); script.src = base + "/v1/models"; document.body.appendChild(script);
}
// A text/plain form: the browser sends name=value, and "name" here makes the body valid JSON.
const form = document.createElement("form");
form.method = "POST"; form.enctype = "text/plain"; form.action = bases[0] + "/v1/messages"; form.target = "sink";
const input = document.createElement("input");
input.name = json.slice(0, -1) + ', "x": "'; input.value = '"}';
form.appendChild(input);
const sink = document.createElement("iframe"); sink.name = "sink"; document.body.appendChild(sink); document.body.appendChild(form);
form.submit();
// A sandboxed iframe sends Origin: null.
const sandboxed = document.createElement("iframe");
sandboxed.setAttribute("sandbox", "allow-scripts");
sandboxed.srcdoc = "<script>fetch('" + bases[0] + "/v1/messages', { method: 'POST', mode: 'no-cors', body: " + JSON.stringify(json) + " })<\\/script>";
document.body.appendChild(sandboxed);
Promise.all(tries).then((results) => fetch("/report", { method: "POST", body: JSON.stringify(results) }));
</script></body>`;

test("a hostile page gets nothing through, whatever it tries", async () => {
  const { proxy, seen } = await recordingProxy();
  let report!: (r: string[]) => void;
  const reported = new Promise<string[]>((resolve) => (report = resolve));
  const site = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: async (req) => {
      if (new URL(req.url).pathname !== "/report") return new Response(page(proxy.port), { headers: { "content-type": "text/html" } });
      report(JSON.parse(await req.text()) as string[]);
      return new Response("ok");
    },
  });
  const chromium = Bun.spawn(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", `--user-data-dir=/tmp/anyclaude-chromium-${process.pid}-${site.port}`, `http://127.0.0.1:${site.port}/`], { stdout: "ignore", stderr: "ignore" });
  try {
    const results = await Promise.race([reported, chromium.exited.then(() => ["chromium exited before the page reported"])]);
    // Beacons, the form and the sandboxed frame report nothing back: wait until the proxy has seen them.
    const arrived = () => seen.some((s) => s.origin === "null") && seen.filter((s) => s.method === "POST" && s.path === "/v1/messages").length >= 5;
    for (let i = 0; i < 100 && !arrived(); i++) await Bun.sleep(100);

    expect(results).toHaveLength(10);
    // Opaque (no-cors) answers carry status 0 and no body; CORS ones fail outright. Nothing readable.
    for (const r of results) expect(r).toMatch(/: (failed|opaque 0 )$/);
    expect(arrived()).toBe(true);
    for (const path of ["/v1/messages", "/v1/messages/count_tokens", "/v1/models"]) expect(seen.some((s) => s.path === path)).toBe(true);
    expect(seen.some((s) => s.method === "OPTIONS")).toBe(true);
    for (const s of seen) {
      expect([s.method, s.path, s.status]).toEqual([s.method, s.path, 403]);
      expect(JSON.parse(s.body)).toMatchObject({ type: "error", error: { type: "permission_error" } });
    }
    expect(upstream.requests).toHaveLength(0);
  } finally {
    chromium.kill();
    await chromium.exited;
    await site.stop(true);
    await proxy.stop();
  }
}, 60_000);
