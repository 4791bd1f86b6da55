// End to end: the real Claude Code CLI (print mode) → `anyclaude serve` → a scripted model.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatRequest } from "../../src/protocol/openai.ts";
import { cutOffNote } from "../../src/translate/tool-args.ts";
import { chunk, DONE, finish, reasoning, sse, text, textReply, toolArgs, toolStart, usageChunk } from "../helpers/chunks.ts";
import { resultOf, runClaude, type ServeProcess, startServe, tempDir } from "../helpers/processes.ts";
import { type Reply, startUpstream, type Upstream } from "../helpers/upstream.ts";

// Each test sets the script; the upstream answers every request through it.
let script: (req: ChatRequest, n: number) => Reply | Promise<Reply> = () => textReply("unset");
let upstream: Upstream;
let serve: ServeProcess;
let seen = 0; // requests before the current test

beforeAll(async () => {
  upstream = await startUpstream((req, n) => script(req, n - seen));
  serve = await startServe(["--backend", "openai", "--base-url", upstream.url, "--model", "scripted-model"]);
});
afterAll(async () => {
  await serve.stop();
  await upstream.stop();
});

function use(s: typeof script): ChatRequest[] {
  seen = upstream.requests.length;
  script = s;
  return upstream.requests;
}
const since = () => upstream.requests.slice(seen);
const lastMessage = (req: ChatRequest) => req.messages.at(-1)!;
const isFollowUp = (req: ChatRequest) => lastMessage(req).role === "tool";
const roleChunk = chunk({ role: "assistant", content: "" });

describe("Claude Code CLI through anyclaude serve", () => {
  test("plain text", async () => {
    use(() => textReply("Hello from the scripted model"));
    const run = await runClaude(serve.url, "say hello");
    const result = resultOf(run);
    expect(run.exitCode).toBe(0);
    expect(result.result).toBe("Hello from the scripted model");
    expect(result.is_error).toBe(false);
    const req = since()[0]!;
    expect(req.model).toBe("scripted-model");
    expect(req.messages[0]!.role).toBe("system");
    expect(JSON.stringify(req)).not.toContain("x-anthropic-billing-header");
  });

  test("a Bash call whose arguments arrive in three fragments is really executed", async () => {
    use((req) =>
      isFollowUp(req)
        ? textReply(`The file says: ${String(lastMessage(req).content).trim()}`)
        : sse(
            roleChunk,
            toolStart(0, "call_abc", "Bash", '{"command": "echo real-'),
            toolArgs(0, 'execution > proof.txt && cat proof.txt", "descr'),
            toolArgs(0, 'iption": "Write and read a proof file"}'),
            finish("tool_calls"),
            usageChunk(3000, 25),
            DONE,
          ),
    );
    const run = await runClaude(serve.url, "write the proof file", { args: ["--allowedTools", "Bash"] });
    const result = resultOf(run);
    expect(result.result).toBe("The file says: real-execution");
    expect(readFileSync(join(run.cwd, "proof.txt"), "utf8").trim()).toBe("real-execution");
    const [first, follow] = since();
    expect(first!.tools!.map((t) => t.function.name)).toContain("Bash");
    // The follow-up carries the call back as an assistant tool_call and the output as role:tool.
    const assistant = follow!.messages.at(-2)!;
    expect(assistant.role).toBe("assistant");
    const calls = assistant.role === "assistant" ? assistant.tool_calls! : [];
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0]!.function.arguments)).toMatchObject({ command: "echo real-execution > proof.txt && cat proof.txt" });
    expect(lastMessage(follow!)).toEqual({ role: "tool", tool_call_id: calls[0]!.id, content: "real-execution" });
  });

  for (const interleaved of [false, true]) {
    test(`two parallel tool calls${interleaved ? " with interleaved fragments" : ""}`, async () => {
      const a = [toolStart(0, "call_1", "Bash", '{"command": "echo first'), toolArgs(0, ' > a.txt && cat a.txt"}')];
      const b = [toolStart(1, "call_2", "Bash", '{"command": "echo second'), toolArgs(1, ' > b.txt && cat b.txt"}')];
      const frames = interleaved ? [a[0]!, b[0]!, a[1]!, b[1]!] : [...a, ...b];
      use((req) =>
        isFollowUp(req) ? textReply("both done") : sse(roleChunk, text("Running both."), ...frames, finish("tool_calls"), DONE),
      );
      const run = await runClaude(serve.url, "make two files", { args: ["--allowedTools", "Bash"] });
      expect(resultOf(run).result).toBe("both done");
      expect(existsSync(join(run.cwd, "a.txt")) && existsSync(join(run.cwd, "b.txt"))).toBe(true);
      const follow = since().find(isFollowUp)!;
      const tools = follow.messages.filter((m) => m.role === "tool");
      expect(tools.map((m) => m.content)).toEqual(["first", "second"]);
      const assistant = follow.messages.findLast((m) => m.role === "assistant")!;
      expect(assistant.role === "assistant" && assistant.tool_calls!.map((c) => JSON.parse(c.function.arguments).command)).toEqual([
        "echo first > a.txt && cat a.txt",
        "echo second > b.txt && cat b.txt",
      ]);
    });
  }

  test("reasoning then text shows as a thinking block", async () => {
    use(() => sse(roleChunk, reasoning("The user wants a greeting."), text("Hi!"), finish("stop"), DONE));
    const run = await runClaude(serve.url, "greet me", { args: ["--output-format", "stream-json", "--verbose"] });
    expect(run.exitCode).toBe(0);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { type: string; message?: { content: { type: string; thinking?: string; text?: string }[] }; result?: string });
    const blocks = lines.filter((l) => l.type === "assistant").flatMap((l) => l.message!.content);
    expect(blocks).toContainEqual(expect.objectContaining({ type: "thinking", thinking: "The user wants a greeting." }));
    expect(lines.at(-1)!.result).toBe("Hi!");
  });

  test("usage with cached tokens is reported without double counting", async () => {
    use(() => sse(roleChunk, text("cached answer"), finish("stop"), usageChunk(20000, 12, 18000), DONE));
    const result = resultOf(await runClaude(serve.url, "use the cache"));
    expect(result.usage).toMatchObject({ input_tokens: 2000, cache_read_input_tokens: 18000, output_tokens: 12 });
  });

  test("malformed tool arguments are repaired and the call runs", async () => {
    use((req) =>
      isFollowUp(req)
        ? textReply(`got ${String(lastMessage(req).content).trim()}`)
        : sse(roleChunk, toolStart(0, "c", "Bash", "```json\n{'command': 'echo repaired',"), toolArgs(0, " 'description': 'say it',}\n```"), finish("tool_calls"), DONE),
    );
    const run = await runClaude(serve.url, "run it", { args: ["--allowedTools", "Bash"] });
    expect(resultOf(run).result).toBe("got repaired");
  });

  test("a Bash call cut off mid-string is not run; Claude Code shows why", async () => {
    const dir = tempDir("cut");
    use((req) => (isFollowUp(req) ? textReply("ran it") : sse(roleChunk, toolStart(0, "call_cut", "Bash", `{"command": "touch ${dir}/cut`), finish("tool_calls"), usageChunk(3000, 12), DONE)));
    const run = await runClaude(serve.url, "create the file", { args: ["--allowedTools", "Bash"] });
    const result = resultOf(run);
    expect(readdirSync(dir)).toEqual([]);
    expect(result.is_error).toBe(true);
    expect(String(result.result)).toContain(cutOffNote("Bash"));
    expect(since()).toHaveLength(1); // reported at once, not retried
  }, 30_000);

  test("a cut-off Bash call after some text: the turn ends with the note, nothing runs", async () => {
    const dir = tempDir("cut");
    use((req) => (isFollowUp(req) ? textReply("ran it") : sse(roleChunk, text("Creating it now."), toolStart(0, "call_cut", "Bash", `{"command": "touch ${dir}/cut`), finish("stop"), DONE)));
    const run = await runClaude(serve.url, "create the file", { args: ["--allowedTools", "Bash"] });
    expect(run.exitCode).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
    expect(String(resultOf(run).result)).toContain(cutOffNote("Bash"));
    expect(since()).toHaveLength(1);
  }, 30_000);

  test("upstream 500: clear error, non-zero exit, no hang", async () => {
    use(() => ({ kind: "text", status: 500, body: '{"error":{"message":"model crashed"}}' }));
    const run = await runClaude(serve.url, "hi");
    const result = resultOf(run);
    expect(run.exitCode).not.toBe(0);
    expect(result.is_error).toBe(true);
    expect(String(result.result)).toContain("model crashed");
    expect(run.ms).toBeLessThan(30_000);
  });

  test("upstream cuts the connection mid-stream: Claude Code ends, no hang", async () => {
    use(() => ({ kind: "sse", frames: [roleChunk, text("partial answer")], cut: true }));
    const run = await runClaude(serve.url, "hi");
    const result = resultOf(run);
    expect(run.exitCode).not.toBe(0);
    expect(result.is_error).toBe(true);
    expect(run.ms).toBeLessThan(60_000);
  });

  test("20 s of upstream silence before the first token: the answer still arrives", async () => {
    use(() => ({ ...textReply("worth the wait"), headerDelayMs: 20_000 }));
    const run = await runClaude(serve.url, "think hard");
    expect(resultOf(run).result).toBe("worth the wait");
    expect(run.ms).toBeGreaterThanOrEqual(20_000);
    expect(since()).toHaveLength(1); // no client retry: the stream stayed alive
  }, 90_000);
});
