// Every fixture of the wire corpus × --backend openai and the server's own mode × streaming and
// non-streaming: the exact content, stop reason and usage, or the exact error envelope and status.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ProfileName } from "../../src/backends/profiles.ts";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import type { Listening } from "../../src/runtime/serve.ts";
import { STATUS_OF_TYPE } from "../../src/translate/errors.ts";
import { assertGrammar, sdkFinalMessage } from "../helpers/grammar.ts";
import { startProxy } from "../helpers/proxy.ts";
import { startUpstream, type Upstream } from "../helpers/upstream.ts";
import { type Block, loadWireCorpus, toReply, type WireFixture } from "../helpers/wire-corpus.ts";
import type { AnthropicEvent, ErrorType } from "../../src/protocol/anthropic.ts";

const CORPUS = loadWireCorpus();
const WINDOW = 32768;

let current: WireFixture | null = null;
let firstRequest = 0;
let upstream: Upstream;

beforeAll(async () => {
  upstream = await startUpstream((_req: ChatRequest, n: number) => {
    const responses = current!.responses;
    return toReply(responses[Math.min(n - firstRequest, responses.length - 1)]!);
  });
});
afterAll(async () => {
  await upstream.stop();
});

/** A fresh proxy per exchange: each fixture stands for its own server and model, met for the first time. */
const proxyFor = (mode: ProfileName): Promise<Listening> =>
  startProxy({
    upstreamUrl: upstream.url,
    profile: mode,
    backend: { commitAfterMs: 300, retries: 1, retryBaseMs: 5, idleTimeoutMs: 5000 },
    app: { context: { window: WINDOW, truncate: false }, pingIntervalMs: 10_000 },
  });

const TOOLS = [
  { name: "Bash", description: "Run a shell command", input_schema: { type: "object", properties: { command: { type: "string" }, description: { type: "string" } }, required: ["command"] } },
  { name: "Read", description: "Read a file", input_schema: { type: "object", properties: { file_path: { type: "string" } } } },
  // A declared name that extends another, as Claude Code's own list has (llamacpp/tool-name-grows).
  { name: "BashOutput", description: "Read a background shell's output", input_schema: { type: "object", properties: { bash_id: { type: "string" } }, required: ["bash_id"] } },
];
const requestBody = (stream: boolean) =>
  JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 32000, stream, messages: [{ role: "user", content: "List the files here." }], tools: TOOLS });

function normalise(content: { type: string; text?: string; thinking?: string; name?: string; input?: unknown }[]): Block[] {
  return content.map((b) => {
    if (b.type === "text") return { type: "text", text: b.text! };
    if (b.type === "thinking") return { type: "thinking", thinking: b.thinking! };
    return { type: "tool_use", name: b.name!, input: b.input };
  });
}

/** The server's name in an expected message becomes the mode's: backends prefix errors with their name. */
const inMode = (message: string, f: WireFixture, mode: string) => (message.startsWith(`${f.server}: `) ? `${mode}: ${message.slice(f.server.length + 2)}` : message);

async function exchange(f: WireFixture, mode: ProfileName, stream: boolean) {
  const proxy = await proxyFor(mode);
  try {
    return await exchangeWith(proxy, f, stream);
  } finally {
    await proxy.stop();
  }
}

async function exchangeWith(proxy: Listening, f: WireFixture, stream: boolean) {
  current = f;
  firstRequest = upstream.requests.length;
  const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: requestBody(stream) });
  const text = await res.text();
  const sent = upstream.requests.slice(firstRequest);
  return { res, text, sent };
}

function sseEvents(text: string): AnthropicEvent[] {
  return [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => JSON.parse(m[2]!) as AnthropicEvent);
}

describe("wire corpus", () => {
  test("the corpus covers every server and names a source for every fixture", () => {
    expect(new Set(CORPUS.map((f) => f.server))).toEqual(new Set(["llamacpp", "vllm", "ollama", "lmstudio", "mlx", "openrouter"]));
    for (const f of CORPUS) expect(f.source.length).toBeGreaterThan(20);
  });

  test("an overflow without numbers and no known window: N is this request's real count", async () => {
    current = CORPUS.find((f) => f.server === "llamacpp" && f.name === "overflow-old-wording")!;
    firstRequest = upstream.requests.length;
    const proxy = await startProxy({ upstreamUrl: upstream.url, profile: "llamacpp", backend: { retries: 0 } });
    try {
      const prompt = "word ".repeat(40_000); // about 40,000 tokens
      const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 1000, messages: [{ role: "user", content: prompt }] }) });
      expect(res.status).toBe(400);
      const { error } = (await res.json()) as { error: { type: string; message: string } };
      const n = Number(/^prompt is too long: (\d+) tokens \(llamacpp: the request exceeds/.exec(error.message)?.[1]);
      expect(n).toBeGreaterThan(39_000);
      expect(n).toBeLessThan(41_000);
    } finally {
      await proxy.stop();
    }
  });

  test("a pre-opened model's first answer cut by max_tokens inside its reasoning does not mark it plain", async () => {
    const byName = (name: string) => CORPUS.find((f) => `${f.server}/${f.name}` === name)!;
    const probe = byName("llamacpp/think-preopened-quota-probe");
    const answer = byName("llamacpp/think-preopened");
    const proxy = await proxyFor("llamacpp");
    try {
      await exchangeWith(proxy, probe, true);
      const { text } = await exchangeWith(proxy, answer, true);
      const message = (await sdkFinalMessage(sseEvents(text))) as unknown as { content: Parameters<typeof normalise>[0] };
      expect(normalise(message.content)).toEqual((answer.expect as { content: Block[] }).content);
    } finally {
      await proxy.stop();
    }
  });

  for (const f of CORPUS) {
    for (const mode of ["openai", f.server] as ProfileName[]) {
      for (const stream of [true, false]) {
        test(`${f.server}/${f.name} (--backend ${mode}, ${stream ? "streaming" : "non-streaming"})`, async () => {
          const { res, text, sent } = await exchange(f, mode, stream);
          const e = f.expect;
          if ("error" in e) {
            const status = STATUS_OF_TYPE[e.error.type as ErrorType];
            let body: { type: string; message: string };
            if (stream && e.afterCommit) {
              expect(res.status).toBe(200);
              const events = sseEvents(text);
              assertGrammar(events);
              const last = events.at(-1)!;
              expect(last.type).toBe("error");
              body = (last as { error: { type: string; message: string } }).error;
            } else {
              expect(res.status).toBe(status);
              const json = JSON.parse(text) as { type: string; error: { type: string; message: string } };
              expect(json.type).toBe("error");
              body = json.error;
              if (e.retryAfter) expect(res.headers.get("retry-after")).toBe(e.retryAfter);
            }
            expect(body.type).toBe(e.error.type);
            if (e.error.message != null) expect(body.message).toBe(inMode(e.error.message, f, mode));
            if (e.error.messageMatch != null) expect(body.message).toMatch(new RegExp(e.error.messageMatch));
            return;
          }
          expect(res.status).toBe(200);
          let message: { content: Parameters<typeof normalise>[0]; stop_reason: string | null; usage: Record<string, unknown> };
          if (stream) {
            const events = sseEvents(text);
            assertGrammar(events);
            if (e.pingBeforeContent) {
              const firstBlock = events.findIndex((ev) => ev.type === "content_block_start");
              expect(events.slice(0, firstBlock).map((ev) => ev.type)).toEqual(["message_start", "ping"]);
            }
            message = (await sdkFinalMessage(events)) as unknown as typeof message;
          } else message = JSON.parse(text);
          expect(normalise(message.content)).toEqual(e.content);
          expect(message.stop_reason).toBe(e.stop_reason);
          if (e.usage) expect(message.usage).toMatchObject(e.usage);
          expect(sent).toHaveLength(e.requests ?? 1);
          if (e.retriedMaxTokens) expect(sent[1]!.max_tokens).toBe(e.retriedMaxTokens);
        }, 20_000);
      }
    }
  }
});
