// `bun run bench`: the proxy's added latency, streaming throughput and memory, side by side with
// the same scripted upstream reached directly. Everything runs on 127.0.0.1.
//
//   time to first content delta: anyclaude (Anthropic SSE) vs upstream (OpenAI SSE), p50/p95
//   events/s for a 5,000-chunk answer, through anyclaude vs direct
//   RSS of the `anyclaude serve` process (current and peak)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { DEFAULT_PROFILE } from "../../src/translate/profile.ts";
import { translateRequest } from "../../src/translate/request.ts";
import { atLeast, below, QUICK, verdict } from "./targets.ts";

const ROOT = join(import.meta.dir, "../..");
const FIXTURE = join(ROOT, "test/fixtures/claude-code/print-mode-hello.json");
const REQUESTS = QUICK ? 20 : Number(process.env.BENCH_REQUESTS ?? 300);
const LONG_CHUNKS = 5000;
const LONG_RUNS = QUICK ? 1 : Number(process.env.BENCH_LONG_RUNS ?? 5);
const WARMUP = QUICK ? 3 : 20;

const enc = new TextEncoder();
const frame = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const answer = (pieces: number) =>
  enc.encode(
    frame({ role: "assistant", content: "" }) +
      Array.from({ length: pieces }, (_, i) => frame({ content: `tok${i} ` })).join("") +
      frame({}, "stop") +
      `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 20000, completion_tokens: pieces, prompt_tokens_details: { cached_tokens: 19000 } } })}\n\n` +
      "data: [DONE]\n\n",
  );
const SHORT = answer(20);
const LONG = answer(LONG_CHUNKS);

const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch(req) {
    if (req.method === "GET") return Response.json({ data: [{ id: "bench" }] });
    const body = (await req.json()) as { max_tokens?: number };
    // max_tokens selects the answer so one upstream serves both measurements.
    return new Response(body.max_tokens === 7777 ? LONG : SHORT, { headers: { "content-type": "text/event-stream" } });
  },
});
const upstreamUrl = `http://127.0.0.1:${upstream.port}/v1`;

const proxy = Bun.spawn([process.execPath, join(ROOT, "src/cli.ts"), "serve", "--port", "0", "--mode", "openai", "--base-url", upstreamUrl, "--model", "bench"], {
  stdout: "pipe",
  stderr: "pipe",
  env: { ...process.env, NO_COLOR: "1" },
});
let log = "";
const decoder = new TextDecoder();
void (async () => {
  for await (const c of proxy.stderr) log += decoder.decode(c);
})();
while (!/listening on (http:\/\/\S+)/.test(log)) {
  if (proxy.exitCode !== null) throw new Error(log);
  await Bun.sleep(10);
}
const proxyUrl = /listening on (http:\/\/\S+)/.exec(log)![1]!;

const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> };
const anthropicBody = { ...fixture.body, stream: true };
const openaiBody = translateRequest(v.parse(MessagesRequestSchema, anthropicBody), { model: "bench", profile: DEFAULT_PROFILE }).request;
const anthropicJson = JSON.stringify(anthropicBody);
const openaiJson = JSON.stringify(openaiBody);
const anthropicLong = JSON.stringify({ ...anthropicBody, max_tokens: 7777 });
const openaiLong = JSON.stringify({ ...openaiBody, max_tokens: 7777 });

/** Time to the first chunk containing `marker`, then drain; returns ms and events counted by `eventMarker`. */
async function timed(url: string, body: string, marker: string, eventMarker: string) {
  const start = performance.now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
  let first = 0;
  let events = 0;
  let carry = "";
  for await (const c of res.body!) {
    const s = carry + decoder.decode(c, { stream: true });
    if (!first && s.includes(marker)) first = performance.now() - start;
    const parts = s.split(eventMarker);
    events += parts.length - 1;
    carry = parts.at(-1)!.slice(-eventMarker.length);
  }
  return { first, total: performance.now() - start, events };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (n: number, d = 2) => n.toFixed(d).padStart(10);

async function ttft(url: string, body: string, marker: string) {
  for (let i = 0; i < WARMUP; i++) await timed(url, body, marker, "\n\n"); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < REQUESTS; i++) xs.push((await timed(url, body, marker, "\n\n")).first);
  return xs;
}

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proxy.pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const rssIdle = rssMb();
const direct = await ttft(`${upstreamUrl}/chat/completions`, openaiJson, '"content":"tok');
const through = await ttft(`${proxyUrl}/v1/messages`, anthropicJson, "content_block_delta");

const rssAfterTtft = rssMb();
async function throughput(url: string, body: string, eventMarker: string) {
  await timed(url, body, "", eventMarker);
  let events = 0;
  let ms = 0;
  for (let i = 0; i < LONG_RUNS; i++) {
    const r = await timed(url, body, "", eventMarker);
    events += r.events;
    ms += r.total;
  }
  return (events / ms) * 1000;
}
const directRate = await throughput(`${upstreamUrl}/chat/completions`, openaiLong, "data: ");
const proxyRate = await throughput(`${proxyUrl}/v1/messages`, anthropicLong, "event: ");

const status = readFileSync(`/proc/${proxy.pid}/status`, "utf8");
const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);

console.log(`anyclaude proxy benchmark — ${REQUESTS} requests with the captured Claude Code body (${(anthropicJson.length / 1024).toFixed(0)} KB), upstream on 127.0.0.1`);
console.log("");
console.log("time to first content delta (ms)      direct    anyclaude      added");
for (const p of [50, 95]) {
  const d = pct(direct, p);
  const t = pct(through, p);
  console.log(`  p${p}                            ${fmt(d)}   ${fmt(t)}  ${fmt(t - d)}`);
}
console.log("");
console.log(`streamed events/s, ${LONG_CHUNKS}-chunk answer     direct    anyclaude`);
console.log(`  events per second               ${fmt(directRate, 0)}   ${fmt(proxyRate, 0)}`);
console.log("");
console.log(`anyclaude serve RSS (MB): idle ${rssIdle.toFixed(1)}, after ${REQUESTS} requests ${rssAfterTtft.toFixed(1)}, after streaming ${(kb("VmRSS") / 1024).toFixed(1)}, peak ${(kb("VmHWM") / 1024).toFixed(1)}`);
console.log("");
console.log(verdict("added p50", pct(through, 50) - pct(direct, 50), below(1, "ms"), 2));
console.log(verdict("events per second through anyclaude", proxyRate, atLeast(100_000, "events/s"), 0));
console.log(verdict("peak RSS", kb("VmHWM") / 1024, below(80, "MB")));

proxy.kill("SIGTERM");
await proxy.exited;
await upstream.stop(true);
process.exit(0);
