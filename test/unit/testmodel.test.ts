// test-model's pure parts: schema checks against Claude Code's real tool schemas, the judges on
// hand-made answers, reading repairs from the translator's log lines, verdicts and advice.
import { describe, expect, test } from "bun:test";
import type { Message, ResponseBlock } from "../../src/protocol/anthropic.ts";
import { type Answer, PROBES } from "../../src/testmodel/probes.ts";
import { schemaOf } from "../../src/testmodel/prompt.ts";
import { countRepairs, type ProbeOutcome } from "../../src/testmodel/run-probes.ts";
import { schemaViolation } from "../../src/testmodel/schema-check.ts";
import type { Speed } from "../../src/testmodel/speed.ts";
import { adviceFor, verdictOf, type VerdictInput } from "../../src/testmodel/verdict.ts";

describe("schemaViolation against Claude Code's tool schemas", () => {
  const cases: [string, unknown, string | null][] = [
    ["Read", { file_path: "/a" }, null],
    ["Read", { file_path: "/a", limit: 20 }, null],
    ["Read", {}, "input.file_path is missing"],
    ["Read", { file_path: "/a", limit: "20" }, "input.limit is string, expected integer"],
    ["Read", { file_path: "/a", path: "/b" }, "input.path is not a parameter of this tool"],
    ["Edit", { file_path: "/a", old_string: "x", new_string: "y", replace_all: "yes" }, "input.replace_all is string, expected boolean"],
    ["Bash", { command: 42 }, "input.command is integer, expected string"],
  ];
  for (const [tool, input, expected] of cases)
    test(`${tool} ${JSON.stringify(input)}`, () => expect(schemaViolation(input, schemaOf(tool))).toBe(expected));
});

const message = (content: ResponseBlock[], stop: Message["stop_reason"] = "end_turn"): Answer => ({
  error: null,
  message: { id: "msg", type: "message", role: "assistant", model: "m", content, stop_reason: stop, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } },
});
const use = (name: string, input: Record<string, unknown>): ResponseBlock => ({ type: "tool_use", id: "t", name, input });
const judge = (id: string, a: Answer) => PROBES.find((p) => p.id === id)!.judge(a);

describe("probe judges", () => {
  const cases: [string, Answer, boolean, string][] = [
    ["tool-call", message([use("Bash", { command: "cat /home/user/project/notes.md" })]), true, "Bash cat /home/user/project/notes.md"],
    ["tool-call", message([use("Read", { file_path: "notes.md" })]), false, "Read of the wrong file: notes.md"],
    ["tool-call", message([use("Read", { path: "/home/user/project/notes.md" })]), false, "Read arguments do not fit its schema: input.file_path is missing"],
    ["tool-call", { message: null, error: "HTTP 400: prompt is too long: 30000 tokens > 8192 maximum" }, false, "error: HTTP 400: prompt is too long: 30000 tokens > 8192 maximum"],
    ["plain", message([{ type: "text", text: "Paris Paris Paris" }], "max_tokens"), false, "ran out of tokens before finishing (looping or rambling)"],
    ["edit", message([use("Edit", { file_path: "/home/user/project/src/greet.ts", old_string: "Hello", new_string: "Welcome" })]), true, 'replaced "Hello"'],
    ["edit", message([use("Edit", { file_path: "/home/user/project/src/greet.ts", old_string: "Hello, ${name}", new_string: "Hi" })]), false, 'the edit leaves: "  return `Hi!`;"'],
    ["edit", message([use("Edit", { file_path: "/home/user/project/src/greet.ts", old_string: "Helo", new_string: "Welcome" })]), false, 'old_string occurs 0 times in the file: "Helo"'],
    ["reasoning", message([{ type: "text", text: "392" }]), false, "expected 391, got \"392\""],
    ["reasoning", message([{ type: "text", text: "**391**" }]), true, "391"],
    ["reasoning", message([{ type: "text", text: "The answer is 391." }]), true, "391"],
    ["tool-result", message([use("Read", { file_path: "/home/user/project/package.json" })]), false, "called Read again instead of reading the result"],
  ];
  for (const [id, answer, pass, reason] of cases) test(`${id}: ${reason}`, () => expect(judge(id, answer)).toEqual({ pass, reason }));
  test("working around the number is marked as reasoning in the answer", () =>
    expect(judge("reasoning", message([{ type: "text", text: "17 × 23 = 391" }]))).toEqual({ pass: false, reason: 'the answer carries 13 characters of working: "17 × 23 = 391"', reasoningInAnswer: true }));
  test("reasoning markup in the answer is marked for the reasoning-parser advice", () =>
    expect(judge("reasoning", message([{ type: "text", text: "<think>17*23</think>391" }]))).toEqual({ pass: false, reason: "reasoning markup <think> in the answer", reasoningInAnswer: true }));
});

test("repairs are read from the translator's log lines (src/translate/stream.ts wording)", () => {
  const lines = [
    'repaired arguments of Read: ```json\n{"file_path": "/a",}',
    "tool call Edit could not be repaired (unparseable arguments: unexpected word x); sent as text",
    "dropped tool call without a name",
    "upstream ended without finish_reason",
    "no usage from upstream; reporting estimates",
  ];
  expect(countRepairs(lines)).toEqual({ repaired: 1, unrepairable: 2 });
});

const speed = (s: Partial<Speed> = {}): Speed => ({
  promptTokens: 20000, coldTtftMs: 10000, prefillTokensPerSecond: 2000, followUpTtftMs: 500, followUpCachedTokens: null,
  decodeTokens: 100, decodeTokensPerSecond: 40, mlxReusedTokens: null, ...s,
});
const outcome = (id: string, pass: boolean, critical = false, reason = "r"): ProbeOutcome => ({ id, title: id, critical, pass, reason, sent: "-", ms: 1, ...(id === "reasoning" && !pass ? { reasoningInAnswer: true as const } : {}) });
const input = (v: Partial<VerdictInput>): VerdictInput => ({ mode: "openai", probes: [outcome("plain", true)], repairs: { toolCalls: 4, repaired: 0, unrepairable: 0 }, speed: speed(), ...v });

describe("verdict and advice", () => {
  const cases: [string, VerdictInput, string, string[]][] = [
    ["all pass, fast", input({}), "ready", []],
    ["all probes pass, a task fails", input({ tasks: [{ id: "rename", title: "rename", pass: false, reason: "r", turns: 3, inputTokens: 1, outputTokens: 1, ms: 1 }] }), "works with repairs",
      ["1 of 1 real Claude Code tasks failed (rename): see each task's reason."]],
    ["a repair", input({ repairs: { toolCalls: 4, repaired: 1, unrepairable: 0 }, probes: [outcome("repairs", false)] }), "works with repairs",
      ["Arguments needed repair or an edit missed its text: try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX)."]],
    ["ollama's window is too small for the full prompt", input({ mode: "ollama", contextWindow: 4096, probes: [outcome("full-prompt", false, true, "error: HTTP 400: prompt is too long: 21000 tokens > 4096 maximum")] }), "not usable for tools",
      ["Claude Code's prompt does not fit the 4096-token context window. Set OLLAMA_CONTEXT_LENGTH=32768 for `ollama serve`, or `PARAMETER num_ctx 32768` in the Modelfile."]],
    ["vLLM without a reasoning parser", input({ mode: "vllm", probes: [outcome("reasoning", false)] }), "works with repairs",
      ["Start vLLM with --reasoning-parser for this model (e.g. qwen3, deepseek_r1) so reasoning arrives apart from the answer."]],
    ["llama.cpp printing <tool_call> markup", input({ mode: "llamacpp", probes: [outcome("markup", false, true)] }), "not usable for tools",
      ["Tool calls do not arrive as tool calls. Start llama-server with --jinja so the model's own chat template formats and parses tool calls."]],
    ["slow prefill, smallModel set, cache reused", input({ speed: speed({ prefillTokensPerSecond: 90, coldTtftMs: 220000, followUpTtftMs: 3000 }), smallModel: "qwen3-4b" }), "ready",
      ["Slow for Claude Code (cold prefill 90 tokens/s): a smaller model or a lower-bit quant."]],
    ["llama.cpp re-reading the prompt every turn", input({ mode: "llamacpp", speed: speed({ coldTtftMs: 12000, followUpTtftMs: 11000 }) }), "ready",
      ["Follow-up turns take as long as the first (11.0 s vs 12.0 s to the first token): the server does not reuse its prompt cache. Start llama-server with --cache-reuse 256 and one slot (-np 1) so each turn continues the last."]],
  ];
  for (const [name, given, verdict, advice] of cases)
    test(name, () => {
      expect(verdictOf(given)).toBe(verdict as ReturnType<typeof verdictOf>);
      expect(adviceFor(given)).toEqual(advice);
    });
});
