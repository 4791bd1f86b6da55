// Claude Code asks for (adaptive) thinking on every turn; Ollama refuses reasoning_effort for a model
// that cannot think (test/fixtures/wire/ollama/does-not-support-thinking). The turn is asked again
// without it, and the model's later turns are asked without it from the start.
import { afterEach, describe, expect, test } from "bun:test";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { textReply } from "../helpers/chunks.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";
import { loadWireCorpus, toReply } from "../helpers/wire-corpus.ts";

const refusal = loadWireCorpus().find((f) => f.server === "ollama" && f.name === "does-not-support-thinking")!.responses[0]!;
const toolsRefusal = loadWireCorpus().find((f) => f.server === "ollama" && f.name === "does-not-support-tools-new")!.responses[0]!;

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

/** Ollama for a model without the thinking capability: any reasoning_effort but "none" is refused. */
async function ollamaThatCannotThink(other?: (req: ChatRequest) => ReturnType<typeof toReply> | undefined) {
  const upstream = await startUpstream((req) => other?.(req) ?? (req.reasoning_effort ? toReply(refusal) : textReply("hello")));
  const proxy = await startProxy({ upstreamUrl: upstream.url, profile: "ollama" });
  cleanup.push(() => upstream.stop(), () => proxy.stop());
  return { upstream, proxy };
}

// As Claude Code 2.x sends it (test/fixtures/claude-code/print-mode-hello.json).
const turn = (stream: boolean) =>
  JSON.stringify({ model: "claude-opus-5-5", max_tokens: 4096, stream, thinking: { type: "adaptive" }, output_config: { effort: "medium" }, messages: [{ role: "user", content: "hi" }] });

async function ask(url: string, stream: boolean) {
  const res = await fetch(`${url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: turn(stream) });
  return { status: res.status, text: await res.text() };
}

const efforts = (u: Upstream, from = 0) => u.requests.slice(from).map((r) => r.reasoning_effort ?? null);

describe("a model that cannot think", () => {
  for (const stream of [true, false]) {
    test(`is asked again without reasoning_effort, and later turns go without it (${stream ? "streaming" : "non-streaming"})`, async () => {
      const { upstream, proxy } = await ollamaThatCannotThink();
      const first = await ask(proxy.url, stream);
      expect(first.status).toBe(200);
      expect(first.text).toContain("hello");
      expect(efforts(upstream)).toEqual(["medium", null]);

      const seen = upstream.requests.length;
      const second = await ask(proxy.url, stream);
      expect(second.status).toBe(200);
      expect(second.text).toContain("hello");
      expect(efforts(upstream, seen)).toEqual([null]);
    });
  }

  test("another refusal is not retried", async () => {
    const { upstream, proxy } = await ollamaThatCannotThink(() => toReply(toolsRefusal));
    const res = await ask(proxy.url, false);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.message).toMatch(/does not support tools/);
    expect(upstream.requests).toHaveLength(1);
  });
});
