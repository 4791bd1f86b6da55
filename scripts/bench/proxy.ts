// `bun run bench`: anyclaude at the floor. One scripted upstream on 127.0.0.1 and, in front of it,
// side by side: anyclaude under Bun (src/cli.ts), the compiled binary, the Node bundle (under this machine's node and Node 22), two pipe
// proxies that only forward bytes (node:http and Bun.serve+fetch), the floor to compare with, and
// the floor of the chosen shape under each runtime (pipe-hono.mjs: Hono + streamSSE, no translation).
//
//   time to first content delta, p50/p95 (sequential requests with the captured 48 KB Claude Code
//     body, each proxy's in turn so load on the machine hits all alike)
//   events/s on a 5,000-chunk answer (20 answers each, each proxy's in turn)
//   64 concurrent streams: requests/s, p50/p95 of the whole answer
//   time to first content delta p50 in a long session: a tool loop's turns 100-249 (203-501
//     messages), each body the one before plus a tool call and its result (session-bodies.ts)
//   RSS of each proxy process: idle, after the sequential requests, after the long streams (both
//     1.5 s after the load, what a proxy keeps), and the peak while 64 streams run
//
// Builds the binary and the Node bundle first (BENCH_NO_BUILD=1 reuses dist/). `--quick` runs a
// few iterations only: it shows the bench works, not how fast anyclaude is.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { DEFAULT_PROFILE } from "../../src/translate/profile.ts";
import { translateRequest } from "../../src/translate/request.ts";
import { nodeOfMajor, nodeVersion } from "../node-release.ts";
import { answerBytes, type Proxy, startProcess } from "./proxy-procs.ts";
import { sessionBodies } from "./session-bodies.ts";
import { atLeast, below, QUICK, verdict } from "./targets.ts";

const ROOT = join(import.meta.dir, "../..");
const FIXTURE = join(ROOT, "test/fixtures/claude-code/print-mode-hello.json");
const SESSION_FIXTURE = join(ROOT, "test/fixtures/claude-code/print-mode-bash-tool-result.json");
const SESSION_FIRST_TURN = 100;
const SESSION_TURNS = QUICK ? 6 : 150;
const REQUESTS = QUICK ? 12 : Number(process.env.BENCH_REQUESTS ?? 300);
const WARMUP = QUICK ? 3 : 30;
const LONG_CHUNKS = 5000;
const LONG_ANSWERS = QUICK ? 1 : Number(process.env.BENCH_LONG_ANSWERS ?? 20);
const LONG_WARMUP = QUICK ? 1 : 5;
/** RSS "after" is what a proxy keeps once a load is over: sampled after this pause (the same for all). */
const SETTLE_MS = QUICK ? 0 : 1500;
const CONCURRENCY = 64;
const CONCURRENT_REQUESTS = QUICK ? 128 : Number(process.env.BENCH_CONCURRENT_REQUESTS ?? 1280);
const LONG_MAX_TOKENS = 7777;

const SHORT = answerBytes(20);
const LONG = answerBytes(LONG_CHUNKS);
const upstream = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  idleTimeout: 0,
  async fetch(req) {
    if (req.method === "GET") return Response.json({ data: [{ id: "bench" }] });
    const body = (await req.json()) as { max_tokens?: number };
    // max_tokens selects the answer so one upstream serves every measurement.
    return new Response(body.max_tokens === LONG_MAX_TOKENS ? LONG : SHORT, { headers: { "content-type": "text/event-stream" } });
  },
});
const upstreamUrl = `http://127.0.0.1:${upstream.port}/v1`;

if (process.env.BENCH_NO_BUILD !== "1" && !QUICK) {
  for (const target of ["linux-x64", "node"]) {
    const b = Bun.spawn([process.execPath, join(ROOT, "scripts/build.ts"), "--target", target], { stdout: "ignore", stderr: "inherit" });
    if ((await b.exited) !== 0) throw new Error(`build ${target} failed`);
  }
}

// The Node bundle runs under this machine's node and under the oldest maintained major (what holds
// there holds on the newer ones; this machine's may be older, Node 20 reached its end in April 2026).
const MAINTAINED_NODE = 22;
const ownNode = nodeVersion("node");
const maintainedNode = QUICK || ownNode.startsWith(`${MAINTAINED_NODE}.`) ? undefined : fetchedNode(MAINTAINED_NODE);
function fetchedNode(major: number): string | undefined {
  try {
    return nodeOfMajor(major);
  } catch (e) {
    console.error(`node ${major} bundle not measured: ${(e as Error).message}`);
    return undefined;
  }
}

const serveArgs = ["serve", "--port", "0", "--mode", "openai", "--base-url", upstreamUrl, "--model", "bench"];
const started = [
  await startProcess("node pipe", ["node", join(import.meta.dir, "pipe-node.mjs"), upstreamUrl], "openai"),
  await startProcess("bun pipe", [process.execPath, join(import.meta.dir, "pipe-bun.ts"), upstreamUrl], "openai"),
  await startProcess("hono pipe bun", [process.execPath, join(import.meta.dir, "pipe-hono.mjs"), upstreamUrl], "openai"),
  await startProcess("hono pipe node", ["node", join(import.meta.dir, "pipe-hono.mjs"), upstreamUrl], "openai"),
  await startProcess("anyclaude bun", [process.execPath, join(ROOT, "src/cli.ts"), ...serveArgs], "anthropic"),
  await startProcess("binary", [join(ROOT, "dist/anyclaude-linux-x64"), ...serveArgs], "anthropic", true),
  await startProcess("node bundle", ["node", join(ROOT, "dist/node/anyclaude.mjs"), ...serveArgs], "anthropic", true),
  maintainedNode ? await startProcess(`node ${MAINTAINED_NODE} bundle`, [maintainedNode, join(ROOT, "dist/node/anyclaude.mjs"), ...serveArgs], "anthropic", true) : null,
];
const proxies = started.filter((p): p is Proxy => p !== null);

const fixture = JSON.parse(readFileSync(FIXTURE, "utf8")) as { body: Record<string, unknown> };
const anthropicBody = { ...fixture.body, stream: true };
const toOpenai = (body: unknown) => translateRequest(v.parse(MessagesRequestSchema, body), { model: "bench", profile: DEFAULT_PROFILE }).request;
const openaiBody = toOpenai(anthropicBody);
const bodies = {
  anthropic: { short: JSON.stringify(anthropicBody), long: JSON.stringify({ ...anthropicBody, max_tokens: LONG_MAX_TOKENS }), delta: "content_block_delta", event: "event: " },
  openai: { short: JSON.stringify(openaiBody), long: JSON.stringify({ ...openaiBody, max_tokens: LONG_MAX_TOKENS }), delta: '"content":"tok', event: "data: " },
};

const decoder = new TextDecoder();
/** Time to the first chunk containing `marker`, then drain; counts `eventMarker` occurrences. */
async function timed(p: Proxy, body: string, marker: string, eventMarker: string) {
  const start = performance.now();
  const res = await fetch(p.url, { method: "POST", headers: { "content-type": "application/json" }, body });
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
  if (!first) throw new Error(`${p.name}: no content in the answer (status ${res.status})`);
  return { first, total: performance.now() - start, events };
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

interface Figures {
  ttfdP50: number;
  ttfdP95: number;
  sessionP50: number;
  eventsPerSecond: number;
  reqPerSecond: number;
  concP50: number;
  concP95: number;
  rssIdle: number;
  rssAfterRequests: number;
  rssAfterLong: number;
  rssAt64: number;
}
const figures = new Map<Proxy, Partial<Figures>>(proxies.map((p) => [p, {}]));
const put = (p: Proxy, f: Partial<Figures>) => Object.assign(figures.get(p)!, f);

await Bun.sleep(500);
for (const p of proxies) put(p, { rssIdle: p.rssMb() });

// Sequential requests, each proxy's in turn: a busy moment of the machine hits one request of
// each alike (in blocks of 100 a proxy's median moved by ±0.2 ms from one run to the next).
const ttfd = new Map<Proxy, number[]>(proxies.map((p) => [p, []]));
for (const p of proxies) for (let i = 0; i < WARMUP; i++) await timed(p, bodies[p.speaks].short, bodies[p.speaks].delta, "\n\n");
for (let i = 0; i < REQUESTS; i++) for (const p of proxies) ttfd.get(p)!.push((await timed(p, bodies[p.speaks].short, bodies[p.speaks].delta, "\n\n")).first);
await Bun.sleep(SETTLE_MS);
for (const p of proxies) put(p, { ttfdP50: pct(ttfd.get(p)!, 50), ttfdP95: pct(ttfd.get(p)!, 95), rssAfterRequests: p.rssMb() });

// Each proxy's answer in turn, as above: one answer lasts ~10 ms, short enough for a collection or
// a busy moment of the machine to swing it by half, so that moment must fall on all alike.
const long = new Map<Proxy, { events: number; ms: number }>(proxies.map((p) => [p, { events: 0, ms: 0 }]));
for (const p of proxies) for (let i = 0; i < LONG_WARMUP; i++) await timed(p, bodies[p.speaks].long, "", bodies[p.speaks].event);
for (let i = 0; i < LONG_ANSWERS; i++)
  for (const p of proxies) {
    const total = long.get(p)!;
    const r = await timed(p, bodies[p.speaks].long, "", bodies[p.speaks].event);
    total.events += r.events;
    total.ms += r.total;
  }
for (const [p, { events, ms }] of long) put(p, { eventsPerSecond: (events / ms) * 1000 });
await Bun.sleep(SETTLE_MS);
for (const p of proxies) put(p, { rssAfterLong: p.rssMb() });

for (const p of proxies) {
  const b = bodies[p.speaks];
  const latencies: number[] = [];
  let next = 0;
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, p.rssMb())), 25);
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CONCURRENT_REQUESTS) latencies.push((await timed(p, b.short, b.delta, "\n\n")).total);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  put(p, { reqPerSecond: CONCURRENT_REQUESTS / seconds, concP50: pct(latencies, 50), concP95: pct(latencies, 95), rssAt64: Math.max(peak, p.rssMb()) });
}

// The long session last: what a proxy remembers of it would count in the RSS figures above.
const session = sessionBodies(SESSION_FIXTURE, SESSION_FIRST_TURN, SESSION_FIRST_TURN + SESSION_TURNS - 1);
const sessionBodiesFor = { anthropic: session.map((b) => JSON.stringify(b)), openai: session.map((b) => JSON.stringify(toOpenai(b))) };
const sessionTtfd = new Map<Proxy, number[]>(proxies.map((p) => [p, []]));
for (let turn = 0; turn < SESSION_TURNS; turn++)
  for (const p of proxies) sessionTtfd.get(p)!.push((await timed(p, sessionBodiesFor[p.speaks][turn]!, bodies[p.speaks].delta, "\n\n")).first);
for (const p of proxies) put(p, { sessionP50: pct(sessionTtfd.get(p)!, 50) });

for (const p of proxies) await p.stop();
await upstream.stop(true);

// The report: one column per proxy, then every target marked met or missed.
const rows: [string, keyof Figures, number][] = [
  ["time to first content delta p50 (ms)", "ttfdP50", 2],
  ["time to first content delta p95 (ms)", "ttfdP95", 2],
  [`TTFD p50, ${SESSION_TURNS}-turn long session (ms)`, "sessionP50", 2],
  [`events/s, ${LONG_CHUNKS}-chunk answer`, "eventsPerSecond", 0],
  [`${CONCURRENCY} streams: requests/s`, "reqPerSecond", 0],
  [`${CONCURRENCY} streams: p50 (ms)`, "concP50", 1],
  [`${CONCURRENCY} streams: p95 (ms)`, "concP95", 1],
  ["RSS idle (MB)", "rssIdle", 1],
  [`RSS after ${REQUESTS} requests (MB)`, "rssAfterRequests", 1],
  ["RSS after the long streams (MB)", "rssAfterLong", 1],
  [`RSS at ${CONCURRENCY} streams (MB)`, "rssAt64", 1],
];
const W = 16;
console.log(`anyclaude proxy benchmark: captured Claude Code body (${(bodies.anthropic.short.length / 1024).toFixed(0)} KB), ${REQUESTS} sequential requests, upstream on 127.0.0.1${QUICK ? " [quick run]" : ""}`);
console.log(`node pipe, hono pipe node, node bundle: this machine's node ${ownNode}${maintainedNode ? `; node ${MAINTAINED_NODE} bundle: node ${nodeVersion(maintainedNode)}` : ""}`);
console.log("");
console.log(`${"".padEnd(40)}${proxies.map((p) => p.name.padStart(W)).join("")}`);
for (const [label, key, digits] of rows) console.log(`${label.padEnd(40)}${proxies.map((p) => (figures.get(p)![key] ?? NaN).toFixed(digits).padStart(W)).join("")}`);
console.log("");

const f = (name: string) => {
  const p = proxies.find((x) => x.name === name);
  return p ? (figures.get(p)! as Figures) : undefined;
};
const nodePipe = f("node pipe")!;
const bun = f("anyclaude bun")!;
const lines: string[] = [];
for (const name of ["anyclaude bun", "binary", "node bundle"]) {
  const x = f(name);
  if (!x) {
    lines.push(`${name}: not measured (build it: bun run build)`);
    continue;
  }
  lines.push(verdict(`${name}: TTFD p50 vs node pipe (≤ 1.3×)`, x.ttfdP50 / nodePipe.ttfdP50, below(1.3, "×"), 2));
  lines.push(verdict(`${name}: events/s`, x.eventsPerSecond, atLeast(400_000, "events/s"), 0));
  lines.push(verdict(`${name}: ${CONCURRENCY}-stream req/s vs node pipe`, x.reqPerSecond / nodePipe.reqPerSecond, atLeast(0.65, "×"), 2));
  lines.push(verdict(`${name}: RSS idle`, x.rssIdle, below(50, "MB")));
  lines.push(verdict(`${name}: RSS after ${REQUESTS} requests`, x.rssAfterRequests, below(70, "MB")));
}
const node = f("node bundle");
for (const name of ["node bundle", `node ${MAINTAINED_NODE} bundle`]) {
  const x = f(name);
  if (!x) continue;
  // Within 2× of Bun on every figure: slower or bigger by at most 2×, fewer per second by at most 2×.
  for (const [label, key] of rows) {
    const higherIsBetter = key === "eventsPerSecond" || key === "reqPerSecond";
    const ratio = higherIsBetter ? bun[key] / x[key] : x[key] / bun[key];
    lines.push(verdict(`${name} vs bun: ${label.replace(/ \((ms|MB)\)$/, "")}`, ratio, below(2, "× worse"), 2));
  }
}
// Not a target: how much of the Node bundle's gap the shape costs before any code of ours runs.
const honoNode = f("hono pipe node");
if (node && honoNode)
  lines.push(
    `  for scale: the shape's floor under Node (hono pipe node) vs anyclaude bun: TTFD p50 ${(honoNode.ttfdP50 / bun.ttfdP50).toFixed(2)}×, ` +
      `${CONCURRENCY}-stream req/s ${(bun.reqPerSecond / honoNode.reqPerSecond).toFixed(2)}× worse, events/s ${(bun.eventsPerSecond / honoNode.eventsPerSecond).toFixed(2)}× worse`,
  );
for (const l of lines) console.log(l);
process.exit(0);
