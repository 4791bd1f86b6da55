// test-model's pure parts: schema checks against Claude Code's real tool schemas, the judges on
// hand-made answers, reading repairs from the translator's log lines, verdicts and advice.
import { describe, expect, test } from "bun:test";
import type { Message, ResponseBlock } from "../../src/protocol/anthropic.ts";
import { type Answer, type Judgement, judgeMarkup, PROBES } from "../../src/testmodel/probes.ts";
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

// Held-out failure modes of real local models (issue 16 follow-up): each judge and each advice
// line on the answer such a model gives. Whole runs through the proxy are in test/e2e/test-model.test.ts.
const NOTES = "/home/user/project/notes.md";
const said = (text: string): Answer => message([{ type: "text", text }]);

describe("probe judges on real local-model failures", () => {
  const cases: [string, Answer, Judgement][] = [
    ["tool-call", said("I would run `cat notes.md` to see what is in it."), { pass: false, reason: 'no tool call; answered in text: "I would run `cat notes.md` to see what is in it."' }],
    ["tool-call", message([use("read_file", { path: NOTES })]), { pass: false, reason: "called read_file instead of Read", badCall: true }],
    // The proxy maps `read` to `Read` before Claude Code sees it (src/translate/tool-names.ts); a judge that saw it would fail it.
    ["tool-call", message([use("read", { file_path: NOTES })]), { pass: false, reason: "called read instead of Read", badCall: true }],
    ["tool-call", message([use("Read", { path: NOTES })]), { pass: false, reason: "Read arguments do not fit its schema: input.file_path is missing", badCall: true }],
    ["tool-call", { message: null, error: "HTTP 400: prompt is too long: 30000 tokens > 8192 maximum" }, { pass: false, reason: "error: HTTP 400: prompt is too long: 30000 tokens > 8192 maximum", noAnswer: true }],
    ["tool-call", message([use("Read", { limit: 200 })]), { pass: false, reason: "Read arguments do not fit its schema: input.file_path is missing", badCall: true }],
    ["tool-call", message([use("Read", { file_path: NOTES, encoding: "utf-8" })]), { pass: false, reason: "Read arguments do not fit its schema: input.encoding is not a parameter of this tool", badCall: true }],
    ["tool-call", message([use("Bash", { command: `cat ${NOTES}`, timeout: "60000" })]), { pass: false, reason: "Bash arguments do not fit its schema: input.timeout is string, expected number", badCall: true }],
    ["tool-result", message([use("Read", { file_path: "/home/user/project/package.json" })]), { pass: false, reason: "called Read again instead of reading the result" }],
    // One call per turn where two were asked for: the probe reports exactly the one call it got.
    ["parallel", message([use("Read", { file_path: "/home/user/project/package.json" })]), { pass: false, reason: "1 call (package.json); both files were asked for in one turn" }],
    ["edit", message([use("Edit", { file_path: "/home/user/project/src/greet.ts", old_string: "     2\t  return `Hello, ${name}!`;", new_string: "  return `Welcome, ${name}!`;" })]), { pass: false, reason: "old_string keeps Read's line-number prefix" }],
    ["reasoning", message([{ type: "thinking", thinking: "17 × 20 = 340", signature: "" }, { type: "text", text: "391" }]), { pass: true, reason: "391, reasoning in a thinking block" }],
    ["reasoning", said("17 × 20 = 340, 17 × 3 = 51, so 391.\n</think>\n\n391"), { pass: false, reason: "reasoning markup </think> in the answer", reasoningInAnswer: true }],
    ["reasoning", said("First, 17 × 20 is 340. Then 17 × 3 is 51. Adding them gives 391."), { pass: false, reason: 'the answer carries 64 characters of working: "First, 17 × 20 is 340. Then 17 × 3 is 51. Adding them gives …"', reasoningInAnswer: true }],
    ["full-prompt", { message: null, error: "HTTP 400: prompt is too long: 40017 tokens > 32768 maximum" }, { pass: false, reason: "error: HTTP 400: prompt is too long: 40017 tokens > 32768 maximum", noAnswer: true }],
    ["plain", { message: null, error: "no complete answer within 300 s" }, { pass: false, reason: "error: no complete answer within 300 s", noAnswer: true }],
  ];
  for (const [id, answer, expected] of cases) test(`${id}: ${expected.reason}`, () => expect(judge(id, answer)).toEqual(expected));
});

describe("tool-call markup left in text, per model family", () => {
  const args = JSON.stringify({ file_path: NOTES });
  const cases: [string, string][] = [
    ["Hermes / Qwen", `<tool_call>\n{"name": "Read", "arguments": ${args}}\n</tool_call>`],
    ["Llama 3.1", `<|python_tag|>{"name": "Read", "parameters": ${args}}`],
    ["Mistral", `[TOOL_CALLS][{"name": "Read", "arguments": ${args}}]`],
    ["fenced JSON", `Here is the call:\n\`\`\`json\n{\n  "name": "Read",\n  "arguments": ${args}\n}\n\`\`\``],
    ["Llama 3.2 / functionary", `<function=Read>${args}</function>`],
    ["Kimi K2", `<|tool_calls_section_begin|><|tool_call_begin|>functions.Read:0<|tool_call_argument_begin|>${args}<|tool_call_end|><|tool_calls_section_end|>`],
  ];
  for (const [family, text] of cases)
    test(family, () => {
      const verdict = judgeMarkup([{ id: "plain", answer: said("Paris") }, { id: "tool-call", answer: said(text) }]);
      expect(verdict.pass).toBe(false);
      expect(verdict.reason).toStartWith("tool-call: tool-call markup left in text: ");
    });
  test("prose that mentions a command, or JSON that is not a call, is not markup", () =>
    expect(judgeMarkup([{ id: "tool-call", answer: said('I would run `ls`. The file holds ```json\n{"version": "3.14.1"}\n```') }])).toEqual({ pass: true, reason: "no tool-call markup in any answer" }));
});

describe("verdict and advice for real local-model failures", () => {
  const PARSER = "Tool calls do not arrive as tool calls. ";
  const BAD_CALL = "Its tool calls do not fit Claude Code's tools (a wrong name or arguments): try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX), or a model trained for tool use.";
  const badCall = (id: string): ProbeOutcome => ({ ...outcome(id, false, true), badCall: true });
  const noAnswer = (id: string, reason: string): ProbeOutcome => ({ ...outcome(id, false, true, reason), noAnswer: true });
  const cases: [string, VerdictInput, string, string[]][] = [
    ["never calls a tool (prose)", input({ probes: [outcome("tool-call", false, true), outcome("edit", false, true), outcome("parallel", false), outcome("full-prompt", false, true)] }), "not usable for tools",
      [`${PARSER}Use the server's tool-call parser for this model family, or a model trained for tool use.`]],
    ...(
      [
        ["llamacpp", "Start llama-server with --jinja so the model's own chat template formats and parses tool calls."],
        ["vllm", "Start vLLM with --enable-auto-tool-choice and the --tool-call-parser for this model family (hermes, qwen3_coder, llama3_json, mistral…)."],
        ["lmstudio", "Use a model LM Studio lists as tool-capable, and a current LM Studio (its tool-call parser follows the model family)."],
        ["ollama", "Use a model whose Ollama template supports tools (`ollama show <model>` lists tools under Capabilities)."],
      ] as const
    ).map(([mode, fix]): [string, VerdictInput, string, string[]] => [
      `markup in text on ${mode}`,
      input({ mode, probes: [outcome("tool-call", false, true), outcome("full-prompt", false, true), outcome("markup", false, true)] }),
      "not usable for tools",
      [PARSER + fix],
    ]),
    ["calls a tool that does not exist: a model problem, not a parser one", input({ mode: "llamacpp", probes: [badCall("tool-call"), badCall("full-prompt")] }), "not usable for tools", [BAD_CALL]],
    ["arguments missing a required key", input({ probes: [badCall("tool-call"), outcome("edit", false, true)] }), "not usable for tools", [BAD_CALL]],
    ["loops on its own tool call", input({ probes: [outcome("tool-result", false, true)] }), "not usable for tools",
      ["It does not answer from a tool's result (it calls again or ignores it): Claude Code would loop. Try a larger quant, or a model trained for tool use."]],
    ["one call per turn", input({ probes: [outcome("parallel", false)] }), "works with repairs", ["It calls one tool per turn: Claude Code still works, with more turns."]],
    ["llama.cpp's window overflows with the full prompt", input({ mode: "llamacpp", contextWindow: 8192, probes: [noAnswer("full-prompt", "error: HTTP 400: prompt is too long: 21000 tokens > 8192 maximum")] }), "not usable for tools",
      ["Claude Code's prompt does not fit the 8192-token context window. Start llama-server with a larger --ctx-size (e.g. -c 32768)."]],
    ["vLLM overflow, window unknown", input({ mode: "vllm", probes: [noAnswer("full-prompt", "error: HTTP 400: prompt is too long: 40000 tokens > 32768 maximum")] }), "not usable for tools",
      ["Claude Code's prompt does not fit the context window. Start vLLM with a larger --max-model-len."]],
    ["the server errs on every probe: no advice about the model", input({ probes: ["plain", "tool-call", "tool-result", "parallel", "edit"].map((id) => noAnswer(id, "error: HTTP 500: openai: Internal server error")) }), "not usable for tools", []],
  ];
  for (const [name, given, verdict, advice] of cases)
    test(name, () => {
      expect(verdictOf(given)).toBe(verdict as ReturnType<typeof verdictOf>);
      expect(adviceFor(given)).toEqual(advice);
    });
});
