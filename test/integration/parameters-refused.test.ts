// A server that refuses one request parameter (test/fixtures/refusals: OpenAI's reasoning models,
// Azure OpenAI): the turn is asked again as the server takes it, and the model's later turns go
// that way from the start; a second refusal of the same parameter is the answer Claude Code gets.
// Thinking refusals by Ollama, with its own profile: thinking-refused.test.ts.
import { afterEach, describe, expect, test } from "bun:test";
import type { RefusedParameter } from "../../src/backends/refused-parameters.ts";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { textReply } from "../helpers/chunks.ts";
import { startProxy } from "../helpers/proxy.ts";
import { loadRefusals, refusalNamed } from "../helpers/refusal-fixtures.ts";
import type { Reply } from "../helpers/upstream.ts";
import { startUpstream } from "../helpers/upstream.ts";
import { toReply } from "../helpers/wire-corpus.ts";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

const refuse = (name: string): Reply => toReply(refusalNamed(name).response);

/** OpenAI's API for gpt-5: max_tokens refused by name, a temperature but the default refused by value. */
const gpt5 = (req: ChatRequest): Reply | undefined => {
  if (req.max_tokens != null) return refuse("openai-max-tokens");
  if (req.temperature != null && req.temperature !== 1) return refuse("openai-temperature-value");
  return undefined;
};
/** OpenAI's API for o1-preview: max_tokens, temperature and top_p refused by name. */
const o1 = (req: ChatRequest): Reply | undefined => {
  if (req.max_tokens != null) return refuse("openai-max-tokens");
  if (req.temperature != null) return refuse("openai-temperature-parameter");
  if (req.top_p != null) return refuse("openai-top-p");
  return undefined;
};
/** Azure OpenAI at an older api-version: stream_options refused. */
const azure = (req: ChatRequest): Reply | undefined => (req.stream_options ? refuse("azure-stream-options-unknown") : undefined);

async function serving(models: Record<string, (req: ChatRequest) => Reply | undefined>) {
  const upstream = await startUpstream((req) => models[req.model]?.(req) ?? textReply("hello"));
  const proxy = await startProxy({ upstreamUrl: upstream.url, app: { routing: { model: "main", models: { "claude-haiku-4-5": "other" } } } });
  cleanup.push(() => upstream.stop(), () => proxy.stop());
  return { upstream, proxy };
}

const TOOLS = [{ name: "Bash", description: "Run a shell command", input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] } }];

async function ask(url: string, stream: boolean, extra: Record<string, unknown> = {}) {
  const body = { model: "claude-opus-5-5", max_tokens: 4096, stream, messages: [{ role: "user", content: "hi" }], tools: TOOLS, ...extra };
  const res = await fetch(`${url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

/** What each upstream request carried of the parameters servers refuse. */
const asked = (requests: ChatRequest[]) =>
  requests.map((r) => ({
    ...(r.max_tokens != null ? { max_tokens: r.max_tokens } : {}),
    ...(r.max_completion_tokens != null ? { max_completion_tokens: r.max_completion_tokens } : {}),
    ...(r.temperature != null ? { temperature: r.temperature } : {}),
    ...(r.top_p != null ? { top_p: r.top_p } : {}),
    ...(r.stream_options ? { stream_options: true } : {}),
  }));

for (const stream of [true, false]) {
  const mode = stream ? "streaming" : "non-streaming";
  describe(`a model whose server refuses a parameter (${mode})`, () => {
    test("gpt-5: max_tokens becomes max_completion_tokens and temperature 0.5 is left to the default; later turns go so at once", async () => {
      const { upstream, proxy } = await serving({ main: gpt5 });
      const first = await ask(proxy.url, stream, { temperature: 0.5 });
      expect(first.status).toBe(200);
      expect(first.text).toContain("hello");
      const options = stream ? { stream_options: true } : {};
      expect(asked(upstream.requests)).toEqual([
        { max_tokens: 4096, temperature: 0.5, ...options },
        { max_completion_tokens: 4096, temperature: 0.5, ...options },
        { max_completion_tokens: 4096, ...options },
      ]);
      // Asked again, the model is asked the same: messages and tools unchanged.
      for (const r of upstream.requests.slice(1)) {
        expect(r.messages).toEqual(upstream.requests[0]!.messages);
        expect(r.tools).toEqual(upstream.requests[0]!.tools!);
      }

      const seen = upstream.requests.length;
      const second = await ask(proxy.url, stream, { temperature: 0.5 });
      expect(second.status).toBe(200);
      expect(second.text).toContain("hello");
      expect(asked(upstream.requests.slice(seen))).toEqual([{ max_completion_tokens: 4096, ...options }]);
    });

    test("o1-preview: max_tokens, temperature and top_p, one after the other", async () => {
      const { upstream, proxy } = await serving({ main: o1 });
      const res = await ask(proxy.url, stream, { temperature: 1, top_p: 0.9 });
      expect(res.status).toBe(200);
      expect(res.text).toContain("hello");
      expect(asked(upstream.requests).map((r) => Object.keys(r).filter((k) => k !== "stream_options"))).toEqual([
        ["max_tokens", "temperature", "top_p"],
        ["max_completion_tokens", "temperature", "top_p"],
        ["max_completion_tokens", "top_p"],
        ["max_completion_tokens"],
      ]);
    });

    test("what one model refused is not taken from another", async () => {
      const { upstream, proxy } = await serving({ main: gpt5 });
      await ask(proxy.url, stream);
      const seen = upstream.requests.length;
      const res = await ask(proxy.url, stream, { model: "claude-haiku-4-5" });
      expect(res.status).toBe(200);
      expect(upstream.requests.slice(seen).map((r) => [r.model, r.max_tokens])).toEqual([["other", 4096]]);
    });

    test("refused again: the refusal is the answer, a well-formed error after one more request", async () => {
      // A server that refuses max_tokens whatever it is called (a gateway renaming it back).
      const { upstream, proxy } = await serving({ main: () => refuse("openai-max-tokens") });
      const res = await ask(proxy.url, stream);
      expect(res.status).toBe(400);
      const error = JSON.parse(res.text) as { type: string; error: { type: string; message: string } };
      expect(error.type).toBe("error");
      expect(error.error.type).toBe("invalid_request_error");
      expect(error.error.message).toBe("openai: Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.");
      expect(asked(upstream.requests).map((r) => Object.keys(r).filter((k) => k !== "stream_options"))).toEqual([["max_tokens"], ["max_completion_tokens"]]);
    });

    test("a refusal of a parameter the request does not carry is the answer, not asked again", async () => {
      const { upstream, proxy } = await serving({ main: () => refuse("openai-top-p") });
      const res = await ask(proxy.url, stream);
      expect(res.status).toBe(400);
      expect((JSON.parse(res.text) as { error: { message: string } }).error.message).toMatch(/'top_p' is not supported/);
      expect(upstream.requests).toHaveLength(1);
    });
  });
}

test("Azure OpenAI at an older api-version: stream_options refused, the stream asked again without it", async () => {
  const { upstream, proxy } = await serving({ main: azure });
  const res = await ask(proxy.url, true);
  expect(res.status).toBe(200);
  expect(res.text).toContain("hello");
  expect(upstream.requests.map((r) => [r.stream, r.stream_options ?? null])).toEqual([
    [true, { include_usage: true }],
    [true, null],
  ]);
  const seen = upstream.requests.length;
  expect((await ask(proxy.url, true)).status).toBe(200);
  expect(upstream.requests.slice(seen).map((r) => r.stream_options ?? null)).toEqual([null]);
});

/** Whether a request carries what a server refuses. */
const CARRIES: Record<RefusedParameter, (r: ChatRequest) => boolean> = {
  thinking: (r) => r.reasoning_effort != null,
  max_tokens: (r) => r.max_tokens != null,
  temperature: (r) => r.temperature != null,
  top_p: (r) => r.top_p != null,
  stream_options: (r) => r.stream_options != null,
};

describe("every refusal of the fixtures, on a Claude Code turn asking for all of it", () => {
  const turn = { thinking: { type: "adaptive" }, output_config: { effort: "medium" }, temperature: 0.5, top_p: 0.9 };
  for (const f of loadRefusals()) {
    const refused = f.refuses;
    if (!refused) {
      test(`${f.name}: not asked again, the error Claude Code gets`, async () => {
        const { upstream, proxy } = await serving({ main: () => toReply(f.response) });
        const res = await ask(proxy.url, true, turn);
        expect(res.status).toBe(400);
        expect((JSON.parse(res.text) as { error: { type: string } }).error.type).toBe("invalid_request_error");
        expect(upstream.requests).toHaveLength(1);
      });
      continue;
    }
    test(`${f.name}: asked again without ${refused}, later turns too`, async () => {
      const carries = CARRIES[refused];
      const { upstream, proxy } = await serving({ main: (req) => (carries(req) ? toReply(f.response) : undefined) });
      const first = await ask(proxy.url, true, turn);
      expect(first.status).toBe(200);
      expect(first.text).toContain("hello");
      expect(upstream.requests.map(carries)).toEqual([true, false]);
      const seen = upstream.requests.length;
      expect((await ask(proxy.url, true, turn)).status).toBe(200);
      expect(upstream.requests.slice(seen).map(carries)).toEqual([false]);
    });
  }
});
