// End to end on the wire corpus: the real Claude Code CLI (print mode) → `anyclaude serve` → an
// upstream replaying real servers' bytes (test/fixtures/wire).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { textReply } from "../helpers/chunks.ts";
import { resultOf, runClaude, type ServeProcess, startServe } from "../helpers/processes.ts";
import { type Reply, startUpstream, type Upstream } from "../helpers/upstream.ts";
import { loadWireCorpus, toReply } from "../helpers/wire-corpus.ts";

const CORPUS = loadWireCorpus();
const fixture = (id: string) => {
  const f = CORPUS.find((x) => `${x.server}/${x.name}` === id);
  if (!f) throw new Error(`no fixture ${id}`);
  return f;
};

let script: (req: ChatRequest, n: number) => Reply = () => textReply("unset");
let upstream: Upstream;
let serve: ServeProcess;
let seen = 0;

beforeAll(async () => {
  upstream = await startUpstream((req, n) => script(req, n - seen));
  // test-model is listed with max_model_len 32768: the proxy learns the window from /models.
  serve = await startServe(["--backend", "openai", "--base-url", upstream.url, "--model", "test-model"]);
});
afterAll(async () => {
  await serve.stop();
  await upstream.stop();
});

function use(s: typeof script): void {
  seen = upstream.requests.length;
  script = s;
}
const since = () => upstream.requests.slice(seen);
const isFollowUp = (req: ChatRequest) => req.messages.at(-1)!.role === "tool";

describe("Claude Code on real servers' bytes", () => {
  for (const id of ["llamacpp/overflow-http", "llamacpp/overflow-error-field-line", "llamacpp/overflow-old-wording", "vllm/overflow-current", "ollama/overflow-exceeded-by", "lmstudio/overflow-keep-first", "openrouter/overflow", "ollama/overflow-no-context-shift"]) {
    test(`context overflow from ${id}: "prompt is too long", never an API Error 500`, async () => {
      const f = fixture(id);
      use(() => toReply(f.responses[0]!));
      const run = await runClaude(serve.url, "hello");
      const result = resultOf(run);
      expect(run.exitCode).not.toBe(0);
      // The real numbers reach the user: the server's, or (old llama.cpp) the window it refused.
      const [, n, m] = /(\d+) tokens > (\d+) maximum/.exec((f.expect as { error: { message: string } }).error.message)!;
      expect(String(result.result)).toMatch(/prompt is too long/i);
      expect(String(result.result)).toContain(`the request is ~${n} tokens (limit ${m})`);
      expect(String(result.result)).not.toMatch(/API Error: 5\d\d/);
      // Claude Code did not retry the request as a server error.
      expect(since()).toHaveLength(1);
    }, 90_000);
  }

  for (const id of ["mlx/stops-mid-answer", "ollama/mid-stream-error-swallowed"]) {
    test(`a stream that stops mid-answer (${id}) is a failure, not a truncated success`, async () => {
      const f = fixture(id);
      use(() => toReply(f.responses[0]!));
      const run = await runClaude(serve.url, "hello");
      const result = resultOf(run);
      expect(run.exitCode).not.toBe(0);
      expect(result.is_error).toBe(true);
    }, 90_000);
  }

  for (const id of ["llamacpp/think-preopened", "vllm/think-preopened-no-parser", "mlx/think-preopened-older"]) {
    test(`a pre-opened <think> (${id}): the answer has no reasoning in it`, async () => {
      const f = fixture(id);
      use(() => toReply(f.responses[0]!));
      const run = await runClaude(serve.url, "hello");
      const result = resultOf(run);
      expect(run.exitCode).toBe(0);
      const expected = (f.expect as { content: { type: string; text?: string }[] }).content.find((b) => b.type === "text")!.text;
      expect(result.result).toBe(expected);
      expect(String(result.result)).not.toContain("think>");
    }, 90_000);
  }

  test("parallel calls that all reuse index 0 (LM Studio) both run with their own arguments", async () => {
    const f = fixture("lmstudio/tool-index0-empty-ids");
    use((req) => (isFollowUp(req) ? textReply("both ran") : toReply(f.responses[0]!)));
    const run = await runClaude(serve.url, "run both", { args: ["--allowedTools", "Bash"] });
    expect(resultOf(run).result).toBe("both ran");
    const follow = since().find(isFollowUp)!;
    expect(follow.messages.filter((m) => m.role === "tool").map((m) => String(m.content).trim())).toEqual(["first", "second"]);
  }, 90_000);

  test("whole calls that all reuse index 0 (Ollama #15457) both run", async () => {
    const f = fixture("ollama/tool-whole-calls-index0");
    use((req) => (isFollowUp(req) ? textReply("done") : toReply(f.responses[0]!)));
    const run = await runClaude(serve.url, "run both", { args: ["--allowedTools", "Bash"] });
    expect(resultOf(run).result).toBe("done");
    const follow = since().find(isFollowUp)!;
    expect(follow.messages.filter((m) => m.role === "tool").map((m) => String(m.content).trim())).toEqual(["one", "two"]);
  }, 90_000);

  // Last: a plain answer teaches the proxy that test-model does not pre-open <think>.
  for (const id of ["vllm/overflow-max-tokens-at-least", "vllm/overflow-you-passed-characters"]) {
    test(`max_tokens that does not fit (${id}): Claude Code asks again with less and gets its answer`, async () => {
      const f = fixture(id);
      use((_req, n) => (n === 0 ? toReply(f.responses[0]!) : textReply("fits now")));
      const run = await runClaude(serve.url, "hello");
      expect(run.exitCode).toBe(0);
      expect(resultOf(run).result).toBe("fits now");
      const [first, second] = since();
      expect(since()).toHaveLength(2);
      expect(second!.max_tokens!).toBeLessThan(first!.max_tokens!);
    }, 90_000);
  }

  // Last too: the proxy then asks test-model without reasoning_effort for good.
  test("a model that cannot think (Ollama refuses reasoning_effort): Claude Code still gets its answer", async () => {
    const f = fixture("ollama/does-not-support-thinking");
    use((req) => (req.reasoning_effort ? toReply(f.responses[0]!) : textReply("no thinking needed")));
    const run = await runClaude(serve.url, "hello");
    expect(run.exitCode).toBe(0);
    expect(resultOf(run).result).toBe("no thinking needed");
    expect(since().map((r) => r.reasoning_effort ?? null)).toEqual(["medium", null]);
  }, 90_000);
});

