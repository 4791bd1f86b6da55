// `bun run soak`: 5,000 streams through the proxy, 10% of clients disconnecting mid-stream.
// Reports RSS after warm-up and at the end, upstream requests still open, timers still live, and
// how many disconnects reached the upstream. Exits 1 when a target is missed. Not part of npm test.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createConsola } from "consola";
import { atLeast, below, QUICK, verdict } from "./targets.ts";

const TOTAL = QUICK ? 200 : Number(process.env.SOAK_STREAMS ?? 5000);
const WARMUP = Math.floor(TOTAL / 10);
const CONCURRENCY = 16;
const DISCONNECT_RATE = 0.1;

// Count live timers: the proxy runs in this process, so every timer it leaks shows up here.
const live = new Set<unknown>();
const stacks = new Map<unknown, string>();
const wrap = <F extends (...a: never[]) => unknown>(create: F, clear: (id: unknown) => void, once: boolean) => {
  const created = ((...args: Parameters<F>) => {
    const [fn, ...rest] = args as unknown as [(...x: unknown[]) => void, ...unknown[]];
    let id: unknown;
    const run = (...x: unknown[]) => {
      if (once) live.delete(id), stacks.delete(id);
      fn(...x);
    };
    id = (create as unknown as (...a: unknown[]) => unknown)(run, ...rest);
    // Only anyclaude's own timers: node:http keeps keep-alive timers of the test upstream.
    const stack = new Error().stack ?? "";
    if (stack.includes("/src/")) {
      live.add(id);
      stacks.set(id, stack);
    }
    return id;
  }) as unknown as F;
  return { created, cleared: (id: unknown) => (live.delete(id), stacks.delete(id), clear(id)) };
};
const t = wrap(globalThis.setTimeout, globalThis.clearTimeout as (id: unknown) => void, true);
const iv = wrap(globalThis.setInterval, globalThis.clearInterval as (id: unknown) => void, false);
globalThis.setTimeout = t.created;
globalThis.clearTimeout = t.cleared as typeof clearTimeout;
globalThis.setInterval = iv.created;
globalThis.clearInterval = iv.cleared as typeof clearInterval;

const { OpenAICompatibleBackend } = await import("../../src/backends/openai-compatible.ts");
const { PROFILES } = await import("../../src/backends/profiles.ts");
const { createApp } = await import("../../src/server/app.ts");
const { listen } = await import("../../src/runtime/serve.ts");

// Upstream: 30 chunks 1 ms apart; tracks requests in flight and those the proxy abandoned.
let inFlight = 0;
let abandoned = 0;
const frame = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const upstream = createServer(async (req, res) => {
  for await (const _ of req);
  inFlight++;
  let closed = false;
  res.on("close", () => {
    inFlight--;
    if (!res.writableFinished) abandoned++;
    closed = true;
  });
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (let i = 0; i < 30 && !closed; i++) {
    res.write(frame({ content: `tok${i} ` }));
    await new Promise((r) => setTimeout(r, 1));
  }
  if (!closed) res.end(frame({}, "stop") + "data: [DONE]\n\n");
});
await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;

const logger = createConsola({ level: 0 });
const backend = new OpenAICompatibleBackend({ profile: PROFILES.openai, baseUrl: upstreamUrl, logger });
const proxy = await listen(createApp({ backend, logger, routing: { model: "m" } }).fetch, { hostname: "127.0.0.1", port: 0 });

const body = JSON.stringify({ model: "claude-x", max_tokens: 100, stream: true, messages: [{ role: "user", content: "soak" }] });
let done = 0;
let completed = 0;
let disconnected = 0;
let failures = 0;
async function one(i: number) {
  const drop = (i * 7919) % 100 < DISCONNECT_RATE * 100; // deterministic 10%
  const ac = new AbortController();
  try {
    const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body, signal: ac.signal });
    const reader = res.body!.getReader();
    if (drop) {
      await reader.read();
      ac.abort();
      disconnected++;
      return;
    }
    let text = "";
    for (;;) {
      const { done: end, value } = await reader.read();
      if (end) break;
      text += new TextDecoder().decode(value);
    }
    if (text.includes("event: message_stop") && text.includes("tok29")) completed++;
    else failures++;
  } catch (e) {
    if (!drop) failures++;
  }
}
const rssMb = () => process.memoryUsage.rss() / 1048576;
async function run(from: number, to: number) {
  let next = from;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) await one(next++).finally(() => done++);
    }),
  );
}

const started = performance.now();
await run(0, WARMUP);
Bun.gc(true);
const rssWarm = rssMb();
await run(WARMUP, TOTAL);
await new Promise((r) => setTimeout(r, 1000)); // let aborted upstream requests close
Bun.gc(true);
const rssEnd = rssMb();
const seconds = (performance.now() - started) / 1000;
const growth = (100 * (rssEnd - rssWarm)) / rssWarm;
const liveTimers = live.size;
for (const id of [...live].slice(0, 3)) console.log(`  a live timer was created at:\n${stacks.get(id)}`);

console.log(`soak: ${done} streams in ${seconds.toFixed(1)} s (${(done / seconds).toFixed(0)}/s), ${CONCURRENCY} at a time`);
console.log(`  completed ${completed}, client disconnects ${disconnected}, failures ${failures}`);
console.log(`  upstream: ${inFlight} requests still open, ${abandoned} abandoned mid-stream (the disconnects reaching it)`);
console.log(`  RSS ${rssWarm.toFixed(1)} MB after warm-up (${WARMUP} streams) → ${rssEnd.toFixed(1)} MB at the end`);
console.log(verdict("failed streams", failures, below(1, "streams"), 0));
console.log(verdict("upstream requests still open", inFlight, below(1, "requests"), 0));
console.log(verdict("RSS growth after warm-up", growth, below(10, "%")));
console.log(verdict("live timers after the run", liveTimers, below(1, "timers"), 0));
console.log(verdict("disconnects reaching the upstream", disconnected ? (100 * abandoned) / disconnected : 100, atLeast(90, "%")));

await proxy.stop();
upstream.close();
// A quick run is too short for a memory trend: its RSS figure is shown, not held against it.
const ok = failures === 0 && inFlight === 0 && (QUICK || growth < 10) && liveTimers === 0 && abandoned >= disconnected * 0.9;
if (!ok) console.log("soak: a target was missed");
process.exit(ok ? 0 : 1);
