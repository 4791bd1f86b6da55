// 5,000 mutated Claude Code requests (seeded, so a failure reproduces): every answer is an
// Anthropic error or a valid message/stream; no crash, no unhandled rejection.
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Listening } from "../../src/runtime/serve.ts";
import { chunk, DONE, finish, text, textReply, toolArgs, toolStart, usageChunk } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { assertGrammar } from "../helpers/grammar.ts";
import { startProxy } from "../helpers/proxy.ts";
import { REAL_CALLS } from "../helpers/tool-calls.ts";
import { type Frame, type Reply, startUpstream, type Upstream } from "../helpers/upstream.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const COUNT = Number(process.env.FUZZ_COUNT ?? 5000);

let upstream: Upstream;
let proxy: Listening;
let counting: Listening;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => void unhandled.push(e);

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  upstream = await startUpstream(() => textReply("ok"));
  proxy = await startProxy({ upstreamUrl: upstream.url });
  // With a window, so the token counter sees every mutated body (pathological sizes included).
  counting = await startProxy({ upstreamUrl: upstream.url, app: { context: { window: 16_384, truncate: true } } });
});
afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await proxy.stop();
  await counting.stop();
  await upstream.stop();
});

/** mulberry32: small, fast, seedable. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;
const BASES = ["print-mode-hello", "print-mode-bash-tool-result", "interactive-hello"].map((n) => loadFixture(n).body);

/** Every (container, key) path in a JSON value, for picking a mutation site. */
function sites(root: Json): [Record<string, Json> | Json[], string | number][] {
  const out: [Record<string, Json> | Json[], string | number][] = [];
  const walk = (v: Json, depth: number) => {
    if (depth > 8 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), walk(x, depth + 1)));
    else for (const [k, x] of Object.entries(v as Record<string, Json>)) out.push([v as Record<string, Json>, k]), walk(x, depth + 1);
  };
  walk(root, 0);
  return out;
}

function deep(n: number): Json {
  let v: Json = "bottom";
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { x: v };
  return v;
}

const VALUES: ((r: () => number) => Json)[] = [
  () => null,
  () => 42,
  () => -1,
  () => 1e308,
  () => true,
  () => "",
  () => "a string",
  () => [],
  () => ({}),
  () => ({ type: "text" }),
  () => ({ type: "tool_use", id: 5 }),
  () => ({ type: "mystery_block", data: 1 }),
  (r) => "x".repeat(Math.floor(r() * 2_000_000)),
  (r) => deep(Math.floor(r() * 3000)),
  () => "\u0000\uffff\ud800",
  // Pathological sizes for the token counter: long runs of one class, base64, emoji.
  (r) => " ".repeat(Math.floor(r() * 1_000_000)),
  (r) => "=".repeat(Math.floor(r() * 500_000)),
  (r) => Buffer.from(Array.from({ length: Math.floor(r() * 200_000) }, (_, i) => (i * 2654435761) & 255)).toString("base64"),
  (r) => "😀".repeat(Math.floor(r() * 100_000)),
];

function mutate(r: () => number): Uint8Array {
  const body = structuredClone(BASES[Math.floor(r() * BASES.length)]) as Record<string, Json>;
  body.stream = r() < 0.5;
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const all = sites(body);
    const [container, key] = all[Math.floor(r() * all.length)]!;
    const op = r();
    if (op < 0.35) {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
    } else {
      (container as Record<string | number, Json>)[key] = VALUES[Math.floor(r() * VALUES.length)]!(r);
    }
  }
  let bytes = new TextEncoder().encode(JSON.stringify(body));
  const tail = r();
  if (tail < 0.1) bytes = bytes.slice(0, Math.floor(r() * bytes.length)); // truncated JSON
  else if (tail < 0.18) {
    // invalid UTF-8 in the middle of a string
    const at = Math.floor(r() * bytes.length);
    bytes = new Uint8Array([...bytes.slice(0, at), 0xff, 0xfe, 0xc3, ...bytes.slice(at)]);
  } else if (tail < 0.2) bytes = crypto.getRandomValues(new Uint8Array(Math.floor(r() * 4096)));
  return bytes;
}

function checkAnswer(status: number, contentType: string, text: string): string {
  if (contentType.includes("text/event-stream")) {
    expect(status).toBe(200);
    const events = [...text.matchAll(/^event: \w+\ndata: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
    assertGrammar(events);
    return events.at(-1).type === "error" ? `stream-error:${events.at(-1).error.type}` : "stream";
  }
  const json = JSON.parse(text);
  if (status === 200) {
    expect(json.type).toBe("message");
    expect(Array.isArray(json.content)).toBe(true);
    return "message";
  }
  expect(json.type).toBe("error");
  expect(typeof json.error.type).toBe("string");
  expect(typeof json.error.message).toBe("string");
  expect(json.error.message.length).toBeGreaterThan(0);
  return `${status}:${json.error.type}`;
}

async function fuzz(target: Listening, count: number, seed: number) {
  const r = rng(seed);
  const kinds = new Map<string, number>();
  const bodies = Array.from({ length: count }, () => mutate(r));
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const i = next++;
      const res = await fetch(`${target.url}/v1/messages?beta=true`, { method: "POST", headers: { "content-type": "application/json" }, body: bodies[i]! });
      const text = await res.text();
      let kind: string;
      try {
        kind = checkAnswer(res.status, res.headers.get("content-type") ?? "", text);
      } catch (e) {
        throw new Error(`request ${i} (seed ${seed}) got ${res.status}: ${text.slice(0, 300)}\n${(e as Error).message}`);
      }
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  expect(unhandled).toEqual([]);
  const health = await fetch(`${target.url}/health`);
  expect(health.status).toBe(200);
  console.log(`fuzz outcomes (${count} requests): ${JSON.stringify(Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1])))}`);
  // Both accepted and rejected requests were exercised.
  expect((kinds.get("stream") ?? 0) + (kinds.get("message") ?? 0)).toBeGreaterThan(count / 20);
  expect([...kinds.keys()].some((k) => k.startsWith("400:"))).toBe(true);
}

test(`fuzz: ${COUNT} mutated Claude Code requests (seed ${SEED})`, () => fuzz(proxy, COUNT, SEED), 180_000);

const COUNTED = Number(process.env.FUZZ_COUNTED ?? 100);
test(`fuzz through the token counter (16k window, truncation): ${COUNTED} requests (seed ${SEED + 1})`, () => fuzz(counting, COUNTED, SEED + 1), 180_000);

// Truncation cases (issue 9): the model's tool call is cut at a random point of its arguments,
// streamed in random fragments, with any finish_reason, maybe a cut connection. Whatever reaches
// the client is a valid answer and either exactly the whole call or no tool_use at all.
const TRUNCATION_COUNT = Number(process.env.FUZZ_TRUNCATION_COUNT ?? 1000);

function truncationReply(r: () => number): { reply: Reply; full: unknown } {
  const call = REAL_CALLS[Math.floor(r() * REAL_CALLS.length)]!;
  const args = r() < 0.1 ? call.args : call.args.slice(0, Math.floor(r() * call.args.length));
  const frames: Frame[] = [chunk({ role: "assistant", content: "" })];
  if (r() < 0.5) frames.push(text("Working on it."));
  for (let at = 0, first = true; first || at < args.length; first = false) {
    const size = 1 + Math.floor(r() * 12);
    frames.push(first ? toolStart(0, "call_1", call.name, args.slice(at, at + size)) : toolArgs(0, args.slice(at, at + size)));
    at += size;
  }
  const finishReason = [null, "tool_calls", "stop", "length"][Math.floor(r() * 4)];
  if (finishReason) frames.push(finish(finishReason));
  const cut = r() < 0.2;
  if (!cut) frames.push(usageChunk(100, 10), DONE);
  if (r() < 0.15) {
    const body = { choices: [{ index: 0, message: { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: call.name, arguments: args } }] }, finish_reason: finishReason }] };
    return { reply: { kind: "json", body }, full: JSON.parse(call.args) };
  }
  return { reply: { kind: "sse", frames, cut }, full: JSON.parse(call.args) };
}

test(`fuzz: ${TRUNCATION_COUNT} tool calls cut at random points (seed ${SEED})`, async () => {
  const r = rng(SEED + 1);
  const cases = Array.from({ length: TRUNCATION_COUNT }, () => ({ ...truncationReply(r), stream: r() < 0.7 }));
  // The case travels in the user's message, so concurrent requests find their own reply.
  const cutUpstream = await startUpstream((req) => cases[Number(String(req.messages.at(-1)!.content).replace("case ", ""))]!.reply);
  const cutProxy = await startProxy({ upstreamUrl: cutUpstream.url });
  const kinds = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const body = { ...BASES[0]!, messages: [{ role: "user", content: `case ${i}` }], stream: cases[i]!.stream };
      const res = await fetch(`${cutProxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      const answer = await res.text();
      let kind: string;
      try {
        kind = checkAnswer(res.status, res.headers.get("content-type") ?? "", answer);
        const inputs = cases[i]!.stream
          ? [...answer.matchAll(/"partial_json":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(JSON.parse(m[1]!)))
          : ((JSON.parse(answer).content ?? []) as { type: string; input?: unknown }[]).filter((b) => b.type === "tool_use").map((b) => b.input);
        if (inputs.length) expect(inputs).toEqual([cases[i]!.full]);
        kind += inputs.length ? "+tool_use" : "";
      } catch (e) {
        throw new Error(`truncation case ${i} (seed ${SEED}) got ${res.status}: ${answer.slice(0, 300)}\n${(e as Error).message}`);
      }
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: 8 }, worker));
  } finally {
    await cutProxy.stop();
    await cutUpstream.stop();
  }
  expect(unhandled).toEqual([]);
  console.log(`truncation outcomes (${TRUNCATION_COUNT} calls): ${JSON.stringify(Object.fromEntries([...kinds].sort((a, b) => b[1] - a[1])))}`);
  // Whole calls, notes after text and refusals before anything was said were all exercised.
  for (const k of ["stream+tool_use", "stream", "500:api_error"]) expect(kinds.get(k) ?? 0).toBeGreaterThan(0);
}, 120_000);
