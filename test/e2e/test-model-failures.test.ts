// `anyclaude test-model` end to end on held-out failure modes (issue 16 follow-up): whole runs
// through the proxy against models that fail the way real local models do
// (test/helpers/failing-models.ts). The failed probes, verdict and advice are asserted exactly; the
// speed lines depend on this machine's load and are left out.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type FailingKind, failingModel, MARKUP } from "../helpers/failing-models.ts";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";
import { startUpstream } from "../helpers/upstream.ts";

const CLI = join(ROOT, "src/cli.ts");

async function cli(args: string[]) {
  const p = Bun.spawn([BUN, CLI, ...args], {
    cwd: tempDir("test-model-cwd"),
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH, HOME: tempDir("test-model-failing"), NO_COLOR: "1" },
  });
  const [stdout, stderr] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  return { code: await p.exited, stdout, stderr };
}

interface Outcome {
  id: string;
  pass: boolean;
  reason: string;
}

describe("anyclaude test-model on real local-model failures", () => {
  const SPEED = /^(Slow for Claude Code|Set smallModel|Follow-up turns)/;
  async function run(kind: FailingKind, mode: string, extra: string[] = []) {
    const upstream = await startUpstream(failingModel(kind));
    try {
      const r = await cli(["test-model", "--mode", mode, "--base-url", upstream.url, "--json", ...extra]);
      return { ...r, upstream };
    } finally {
      await upstream.stop();
    }
  }
  const q = (s: string) => JSON.stringify(s);
  const inText = (s: string, n = 80) => `no tool call; answered in text: ${q(s.length > n ? `${s.slice(0, n)}…` : s)}`;
  const markupAt = (probe: string, s: string) => `${probe}: tool-call markup left in text: ${q(`${s.slice(0, 60)}…`)}`;
  const NOTES = "/home/user/project/notes.md";
  const PARSER = "Tool calls do not arrive as tool calls. ";
  const cases: [string, FailingKind, string, [string, string][], string, string[]][] = [
    ...(
      [
        ["markup-hermes", "vllm", "Start vLLM with --enable-auto-tool-choice and the --tool-call-parser for this model family (hermes, qwen3_coder, llama3_json, mistral…)."],
        ["markup-llama31", "llamacpp", "Start llama-server with --jinja so the model's own chat template formats and parses tool calls."],
        ["markup-mistral", "ollama", "Use a model whose Ollama template supports tools (`ollama show <model>` lists tools under Capabilities)."],
        ["markup-fenced", "openai", "Use the server's tool-call parser for this model family, or a model trained for tool use."],
        ["markup-functionary", "llamacpp", "Start llama-server with --jinja so the model's own chat template formats and parses tool calls."],
        ["markup-kimi", "vllm", "Start vLLM with --enable-auto-tool-choice and the --tool-call-parser for this model family (hermes, qwen3_coder, llama3_json, mistral…)."],
      ] as const
    ).map(([kind, mode, fix]): (typeof cases)[number] => {
      const said = MARKUP[kind.slice("markup-".length) as keyof typeof MARKUP]("Read", { file_path: NOTES });
      const at = said.search(/<tool_call>|<\|python_tag\|>|\[TOOL_CALLS\]|```|<function=|<\|tool_call_begin\|>/);
      return [`${kind} on ${mode}`, kind, mode, [["tool-call", inText(said)], ["full-prompt", inText(said)], ["markup", markupAt("tool-call", said.slice(at))]], "not usable for tools", [PARSER + fix]];
    }),
    ["never calls a tool", "prose", "openai",
      [["tool-call", inText("I would run `cat notes.md` to see what is in it.")], ["parallel", "no tool call"], ["edit", "no Edit call; said \"I would replace `Hello` with `Welcome` in greet.ts.\""], ["full-prompt", inText("I would run `cat notes.md` to see what is in it.")]],
      "not usable for tools", [`${PARSER}Use the server's tool-call parser for this model family, or a model trained for tool use.`]],
    ["calls a tool that does not exist", "unknown-tool", "llamacpp", [["tool-call", "called read_file instead of Read"], ["full-prompt", "called read_file instead of Read"]], "not usable for tools",
      ["Its tool calls do not fit Claude Code's tools (a wrong name or arguments): try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX), or a model trained for tool use."]],
    // The proxy maps a name in another case to Claude Code's (src/translate/tool-names.ts): the call works.
    ["calls Read as `read`", "wrong-case", "openai", [], "ready", []],
    ["an extra key", "extra-key", "openai", [["tool-call", "Read arguments do not fit its schema: input.encoding is not a parameter of this tool"], ["full-prompt", "Read arguments do not fit its schema: input.encoding is not a parameter of this tool"]], "not usable for tools",
      ["Its tool calls do not fit Claude Code's tools (a wrong name or arguments): try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX), or a model trained for tool use."]],
    // "timeout": "60000" is coerced by the proxy's repair, and the repair is counted.
    ["a string where Bash wants a number", "wrong-type", "openai", [["repairs", "2 of 5 tool calls needed repair"]], "works with repairs",
      ["Arguments needed repair or an edit missed its text: try a larger quant of this model (Q6_K/Q8_0, or 8-bit MLX)."]],
    ["repeats its call after the result", "loop", "openai", [["tool-result", "called Read again instead of reading the result"]], "not usable for tools",
      ["It does not answer from a tool's result (it calls again or ignores it): Claude Code would loop. Try a larger quant, or a model trained for tool use."]],
    ["one call per turn", "serial", "openai", [["parallel", "1 call (package.json); both files were asked for in one turn"]], "works with repairs", ["It calls one tool per turn: Claude Code still works, with more turns."]],
    ["inline <think>", "think-inline", "openai", [], "ready", []],
    ["only the closing </think> (template opened it)", "think-preopened", "openai", [], "ready", []],
    ["llama.cpp's window is too small for the full prompt", "overflow-llamacpp", "llamacpp", [["full-prompt", "error: HTTP 400: prompt is too long: 40017 tokens > 32768 maximum"]], "not usable for tools",
      ["Claude Code's prompt does not fit the 32768-token context window. Start llama-server with a larger --ctx-size (e.g. -c 32768)."]],
    ["vLLM's window is too small for the full prompt", "overflow-vllm", "vllm", [["full-prompt", "error: HTTP 400: prompt is too long: 40000 tokens > 32768 maximum"]], "not usable for tools",
      ["Claude Code's prompt does not fit the 32768-token context window. Start vLLM with a larger --max-model-len."]],
  ];
  for (const [name, kind, mode, failures, verdict, advice] of cases)
    test(name, async () => {
      const r = await run(kind, mode);
      const result = JSON.parse(r.stdout);
      expect(result.probes.filter((p: Outcome) => !p.pass).map((p: Outcome) => [p.id, p.reason])).toEqual(failures);
      expect(result.verdict).toBe(verdict);
      expect(result.advice.filter((a: string) => !SPEED.test(a))).toEqual(advice);
      expect(r.code).toBe(verdict === "not usable for tools" ? 1 : 0);
    }, 60_000);

  for (const [kind, extra, why] of [
    ["http500", [], "HTTP 500: openai: Internal server error"],
    ["hang", ["--timeout", "2"], "no complete answer within 2 s"],
  ] as const)
    test(`${kind}: one line, exit 1, no scorecard`, async () => {
      const r = await run(kind, "openai", [...extra]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      const lines = r.stderr.trim().split("\n");
      expect(lines.at(-1)).toBe(`[anyclaude] ✖ openai at ${r.upstream.url} answered no probe (${why}); check the server's own log, or pass --mode/--base-url`);
      expect(lines.filter((l) => !l.includes("using openai model"))).toHaveLength(1);
      // A hung server: two probes time out, the rest are not sent.
      if (kind === "hang") expect(r.upstream.requests.filter((q) => q.tools?.length)).toHaveLength(2);
    }, 60_000);
});
