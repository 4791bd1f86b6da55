// Pathological bodies (long runs of one character, long base64, deep nesting, 30 MB) get a
// well-formed answer, and other requests are served while one of them is being counted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { localCounter, type TextCounter } from "../../src/context/text-counter.ts";
import type { Listening } from "../../src/runtime/serve.ts";
import { textReply } from "../helpers/chunks.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";

let upstream: Upstream;
let proxy: Listening;
/** Resolves when the counter is handed a large request (the next one to count). */
let bigCountStarted: () => void = () => {};

beforeAll(async () => {
  upstream = await startUpstream(() => textReply("ok"));
  const local = localCounter();
  const counter: TextCounter = {
    name: local.name,
    count: (texts) => {
      if (texts.reduce((n, t) => n + t.length, 0) > 100_000) bigCountStarted();
      return local.count(texts);
    },
  };
  proxy = await startProxy({ upstreamUrl: upstream.url, app: { counter, context: { window: 131_072, truncate: false } } });
});
afterAll(async () => {
  await proxy.stop();
  await upstream.stop();
});

/** Random base64 without a pattern the tokenizer could take a shortcut on. */
function base64(chars: number): string {
  const bytes = new Uint8Array(Math.ceil((chars * 3) / 4));
  for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
  return Buffer.from(bytes).toString("base64").slice(0, chars);
}

function nested(depth: number): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { x: v };
  return v;
}

/** A long prompt (so it is counted) and a tool call whose input holds `deep`. */
const toolInput = (deep: unknown) => ({ model: "claude-x", max_tokens: 100, messages: [{ role: "user", content: "x ".repeat(100_000) }, { role: "assistant", content: [{ type: "tool_use", id: "t", name: "T", input: { deep } }] }, { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "done" }] }] });
const request = (content: unknown) => ({ model: "claude-x", max_tokens: 100, messages: [{ role: "user", content }] });
const post = (body: unknown) => fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const small = () => post(request("hi")).then(async (r) => [r.status, await r.text()] as const);

/** Status and error type: a well-formed Anthropic answer either way. */
async function outcome(res: Response): Promise<string> {
  const body = (await res.json()) as { type: string; error?: { type: string; message: string } };
  if (res.status === 200) {
    expect(body.type).toBe("message");
    return "200";
  }
  expect(body.type).toBe("error");
  expect(body.error!.message.length).toBeGreaterThan(0);
  return `${res.status} ${body.error!.type}`;
}

const CASES: [string, () => unknown, string][] = [
  ["2M characters of x", () => request("x".repeat(2_000_000)), "400 invalid_request_error"],
  ["2M characters of base64", () => request(base64(2_000_000)), "400 invalid_request_error"],
  ["1M spaces", () => request(" ".repeat(1_000_000)), "200"],
  ["1M of '=' in a tool result", () => ({ ...request([{ type: "tool_result", tool_use_id: "t", content: "=".repeat(1_000_000) }]) }), "200"],
  ["a tool input nested 900 deep", () => toolInput(nested(900)), "200"],
  ["30 MB of base64 and runs", () => request([{ type: "text", text: base64(15_000_000) }, { type: "text", text: "x".repeat(15_000_000) }]), "400 invalid_request_error"],
];

describe("pathological bodies", () => {
  for (const [name, make, want] of CASES) {
    test(`${name}: ${want}, and a small request is answered while it is counted`, async () => {
      const started = new Promise<void>((resolve) => (bigCountStarted = resolve));
      const big = post(make());
      await started;
      // The small request is sent after counting began; it must not wait for the count to end.
      const first = await Promise.race([small().then(() => "small"), big.then(() => "big")]);
      expect(first).toBe("small");
      expect(await outcome(await big)).toBe(want);
      expect((await small())[0]).toBe(200);
    }, 60_000);
  }
});

// Held-out attack: nesting that JSON.parse takes but JSON.stringify cannot (past ~4000 levels on
// Node, ~30000 on Bun) was a 500 "Maximum call stack size exceeded"; it is a 400 before any work.
describe("bodies nested past the limit: 400, on both endpoints, the upstream never asked", () => {
  const deepText = (n: number) => "[".repeat(n) + "]".repeat(n);
  const head = '{"model":"claude-x","max_tokens":10,"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"T","input":{"a":';
  const tail = '}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"done"}]}]}';
  for (const depth of [5_000, 100_000])
    for (const path of ["/v1/messages", "/v1/messages/count_tokens"])
      test(`a tool input ${depth} deep to ${path}`, async () => {
        const before = upstream.requests.length;
        const res = await fetch(`${proxy.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: head + deepText(depth) + tail });
        expect(res.status).toBe(400);
        expect(await outcome(res)).toBe("400 invalid_request_error");
        expect(upstream.requests.length).toBe(before);
        expect((await small())[0]).toBe(200);
      });
});
