import { describe, expect, test } from "bun:test";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
import type { Chunk } from "../../src/protocol/openai.ts";
import { AnthropicError } from "../../src/translate/errors.ts";
import { sequentialIds } from "../../src/translate/ids.ts";
import { cutOffNote } from "../../src/translate/tool-args.ts";
import { makeToolIndex } from "../../src/translate/tool-index.ts";
import { type StreamContext, StreamTranslator } from "../../src/translate/stream.ts";
import { toBackendToolName } from "../../src/translate/tool-names.ts";
import { assertGrammar, sdkFinalMessage } from "../helpers/grammar.ts";

const TOOLS = [
  { name: "Bash", input_schema: { type: "object", properties: { command: { type: "string" }, timeout: { type: "number" } }, required: ["command"] } },
  { name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] } },
  { name: "mcp__some_really_long_server_name__with_an_even_longer_tool_name_beyond_limits", input_schema: { type: "object", properties: {} } },
];

function translator(over: Partial<StreamContext> = {}) {
  return new StreamTranslator({
    model: "claude-test",
    tools: makeToolIndex(TOOLS),
    estimatedInputTokens: 50,
    ids: sequentialIds(),
    sign: (t) => `sig:${t.length}`,
    inlineThink: true,
    note: () => {},
    ...over,
  });
}

type D = Record<string, unknown>;
const c = (delta: D, finish: string | null = null, extra: D = {}): Chunk => ({ choices: [{ delta, finish_reason: finish }], ...extra }) as Chunk;
const usage = (p: number, o: number, cached?: number): Chunk =>
  ({ choices: [], usage: { prompt_tokens: p, completion_tokens: o, ...(cached != null ? { prompt_tokens_details: { cached_tokens: cached } } : {}) } }) as Chunk;
const call = (index: number | undefined, id: string | undefined, name: string | undefined, args: unknown): Chunk =>
  c({ tool_calls: [{ ...(index != null ? { index } : {}), ...(id ? { id } : {}), function: { ...(name ? { name } : {}), arguments: args } }] });

function run(chunks: Chunk[], over: Partial<StreamContext> = {}): AnthropicEvent[] {
  const t = translator(over);
  const events = [...t.commit(), ...chunks.flatMap((ch) => t.chunk(ch)), ...t.end()];
  assertGrammar(events);
  return events;
}

async function final(chunks: Chunk[], over: Partial<StreamContext> = {}) {
  return sdkFinalMessage(run(chunks, over));
}

describe("stream translator: content", () => {
  test("plain text streams as one text block", async () => {
    const m = await final([c({ role: "assistant", content: "" }), c({ content: "Hel" }), c({ content: "lo" }), c({}, "stop"), usage(10, 2)]);
    expect(m.content).toMatchObject([{ type: "text", text: "Hello" }]);
    expect(m.content).toHaveLength(1);
    expect(m.stop_reason).toBe("end_turn");
    expect(m.model).toBe("claude-test");
    expect(m.id).toBe("msg_0001");
  });

  test("leading whitespace is held and whitespace-only text is dropped", async () => {
    const m = await final([c({ content: "\n\n" }), c({ reasoning_content: "r" }), c({ content: "\n\n" }), call(0, "a", "Bash", '{"command":"ls"}'), c({}, "tool_calls")]);
    expect(m.content.map((b) => b.type)).toEqual(["thinking", "tool_use"]);
  });

  test("held whitespace is sent with the first real text", async () => {
    const m = await final([c({ content: "  " }), c({ content: "x" }), c({}, "stop")]);
    expect(m.content).toMatchObject([{ type: "text", text: "  x" }]);
  });

  const reasoningCases: [string, Chunk[], Partial<StreamContext>][] = [
    ["reasoning_content", [c({ reasoning_content: "Think." }), c({ content: "Answer" }), c({}, "stop")], {}],
    ["reasoning", [c({ reasoning: "Think." }), c({ content: "Answer" }), c({}, "stop")], {}],
    ["inline <think>", [c({ content: "<think>Thi" }), c({ content: "nk.</think>\n" }), c({ content: "Answer" }), c({}, "stop")], {}],
    ["pre-opened </think> only", [c({ content: "Think." }), c({ content: "</think>\n\nAnswer" }), c({}, "stop")], {}],
  ];
  for (const [name, chunks, over] of reasoningCases) {
    test(`reasoning as ${name} becomes a signed thinking block`, async () => {
      const m = await final(chunks, over);
      expect(m.content).toMatchObject([
        { type: "thinking", thinking: "Think.", signature: "sig:6" },
        { type: "text", text: "Answer" },
      ]);
    });
  }

  test("reasoning after text opens a new thinking block (interleaved)", async () => {
    const m = await final([c({ reasoning: "a" }), c({ content: "b" }), c({ reasoning: "c" }), c({ content: "d" }), c({}, "stop")]);
    expect(m.content.map((b) => b.type)).toEqual(["thinking", "text", "thinking", "text"]);
  });

  test("content and finish_reason in one chunk", async () => {
    const m = await final([c({ content: "all at once" }, "stop")]);
    expect(m.content).toMatchObject([{ type: "text", text: "all at once" }]);
    expect(m.stop_reason).toBe("end_turn");
  });
});

describe("stream translator: tool calls", () => {
  test("arguments split in three fragments, including mid-escape", async () => {
    const m = await final([
      call(0, "c1", "Bash", '{"command":"echo \\'),
      call(0, undefined, undefined, '"hi\\'),
      call(0, undefined, undefined, '""}'),
      c({}, "tool_calls"),
    ]);
    expect(m.content).toMatchObject([{ type: "tool_use", id: "toolu_0001", name: "Bash", input: { command: 'echo "hi"' } }]);
    expect(m.stop_reason).toBe("tool_use");
  });

  test("text then two parallel calls in order (protocol.md §7.9)", async () => {
    const events = run([
      c({ reasoning_content: "Check both." }),
      c({ content: "Reading." }),
      call(0, "aX9", "Read", '{"file_path":'),
      call(0, undefined, undefined, '"/a.py"}'),
      call(1, "bY2", "Read", '{"file_path":"/b.py"}'),
      c({}, "tool_calls", { usage: { prompt_tokens: 9000, completion_tokens: 40, prompt_tokens_details: { cached_tokens: 8800 } } }),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta",
      "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_stop",
      "content_block_start", "content_block_delta", "content_block_stop",
      "message_delta", "message_stop",
    ]);
    const delta = events.find((e) => e.type === "message_delta");
    expect(delta).toMatchObject({
      delta: { stop_reason: "tool_use" },
      usage: { input_tokens: 200, cache_read_input_tokens: 8800, cache_creation_input_tokens: 0, output_tokens: 40 },
    });
    const m = await sdkFinalMessage(events);
    expect(m.content.slice(2)).toMatchObject([
      { type: "tool_use", input: { file_path: "/a.py" } },
      { type: "tool_use", input: { file_path: "/b.py" } },
    ]);
  });

  test("parallel calls that all reuse index 0, with empty ids on later fragments, keep their own arguments", async () => {
    const m = await final([
      c({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "Bash", arguments: "" } }] }),
      c({ tool_calls: [{ index: 0, id: "", function: { arguments: '{"command":' } }] }),
      c({ tool_calls: [{ index: 0, id: "", function: { arguments: '"echo one"}' } }] }),
      c({ tool_calls: [{ index: 0, id: "call_b", type: "function", function: { name: "Read", arguments: "" } }] }),
      c({ tool_calls: [{ index: 0, id: "", function: { arguments: '{"file_path":"/tmp/two"}' } }] }),
      c({}, "tool_calls"),
    ]);
    expect(m.content.map((b) => (b.type === "tool_use" ? [b.name, b.input] : b.type))).toEqual([
      ["Bash", { command: "echo one" }],
      ["Read", { file_path: "/tmp/two" }],
    ]);
  });

  // Ids on one index: the same id on every fragment (vLLM), an id that changes after the first
  // fragment (mlx-openai-server#216, poolside/pool#9), a new id with a name (LM Studio index 0 reuse).
  const idCases: [string, Chunk[], [string, unknown][]][] = [
    ["the same id on every fragment", [call(0, "t1", "Bash", ""), call(0, "t1", undefined, '{"command":'), call(0, "t1", undefined, '"ls"}')], [["Bash", { command: "ls" }]]],
    ["an id that changes on bare argument fragments", [call(0, "t1", "Read", ""), call(0, "t2", undefined, '{"file_path": '), call(0, "t2", undefined, '"a.ts"}')], [["Read", { file_path: "a.ts" }]]],
    ["a new id with a name is a new call", [call(0, "t1", "Bash", '{"command":"a"}'), call(0, "t2", "Read", '{"file_path":"b"}')], [["Bash", { command: "a" }], ["Read", { file_path: "b" }]]],
  ];
  for (const [name, chunks, want] of idCases) {
    test(`tool call ids on one index: ${name}`, async () => {
      const m = await final([...chunks, c({}, "tool_calls")]);
      expect(m.content.map((b) => (b.type === "tool_use" ? [b.name, b.input] : [b.type, null]))).toEqual(want);
    });
  }

  test("parallel calls on index 0 without ids: a new name after complete arguments starts a new call", async () => {
    const m = await final([
      call(0, undefined, "Bash", '{"command":"a"}'),
      call(0, undefined, "Bash", '{"command":'),
      call(0, undefined, undefined, '"b"}'),
      c({}, "tool_calls"),
    ]);
    expect(m.content.map((b) => (b.type === "tool_use" ? b.input : b.type))).toEqual([{ command: "a" }, { command: "b" }]);
  });

  test("reasoning_details text is thinking; encrypted-only details add nothing", async () => {
    const m = await final([
      c({ reasoning_details: [{ type: "reasoning.text", text: "plan", format: "unknown", index: 0 }] }),
      c({ reasoning_details: [{ type: "reasoning.encrypted", data: "gAAAAB...", format: "openai-responses-v1", index: 1 }] }),
      c({ content: "done" }),
      c({}, "stop"),
    ]);
    expect(m.content).toMatchObject([{ type: "thinking", thinking: "plan" }, { type: "text", text: "done" }]);
  });

  test("interleaved fragments of parallel calls stay apart by index", async () => {
    const m = await final([
      call(0, "a", "Bash", '{"comm'),
      call(1, "b", "Read", '{"file_'),
      call(0, undefined, undefined, 'and":"ls"}'),
      call(1, undefined, undefined, 'path":"/x"}'),
      c({}, "tool_calls"),
    ]);
    expect(m.content).toMatchObject([
      { type: "tool_use", name: "Bash", input: { command: "ls" } },
      { type: "tool_use", name: "Read", input: { file_path: "/x" } },
    ]);
  });

  const shapes: [string, Chunk[]][] = [
    ["whole call per chunk without index (Ollama/MLX)", [
      c({ tool_calls: [{ id: "call_0", function: { name: "Bash", arguments: '{"command":"a"}' } }] }),
      c({ tool_calls: [{ id: "call_1", function: { name: "Bash", arguments: '{"command":"b"}' } }] }),
      c({}, "stop"),
    ]],
    ["several calls on index 0 with different ids", [
      call(0, "x1", "Bash", '{"command":"a"}'),
      call(0, "x2", "Bash", '{"command":"b"}'),
      c({}, "tool_calls"),
    ]],
    ["arguments as objects, duplicated call_0 ids", [
      c({ tool_calls: [{ index: 0, id: "call_0", function: { name: "Bash", arguments: { command: "a" } } }] }),
      c({ tool_calls: [{ index: 1, id: "call_0", function: { name: "Bash", arguments: { command: "b" } } }] }),
      c({}, "tool_calls"),
    ]],
    ["numeric ids and functions.Bash:0 style ids", [
      c({ tool_calls: [{ index: 0, id: 365174485, function: { name: "Bash", arguments: '{"command":"a"}' } }] }),
      c({ tool_calls: [{ index: 1, id: "functions.Bash:1", function: { name: "Bash", arguments: '{"command":"b"}' } }] }),
      c({}, "tool_calls"),
    ]],
  ];
  for (const [name, chunks] of shapes) {
    test(name, async () => {
      const m = await final(chunks);
      expect(m.content).toMatchObject([
        { type: "tool_use", id: "toolu_0001", input: { command: "a" } },
        { type: "tool_use", id: "toolu_0002", input: { command: "b" } },
      ]);
      expect(m.stop_reason).toBe("tool_use");
    });
  }

  test("empty / null arguments become {}", async () => {
    for (const args of ["", null]) {
      const events = run([call(0, "a", TOOLS[2]!.name, args), c({}, "tool_calls")]);
      expect(events).toContainEqual({ type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "{}" } });
    }
  });

  test("malformed arguments are repaired before they reach Claude Code", async () => {
    const m = await final([call(0, "a", "Bash", "```json\n{'command': 'ls',}\n```"), c({}, "tool_calls")]);
    expect(m.content).toMatchObject([{ type: "tool_use", input: { command: "ls" } }]);
  });

  test("unrepairable arguments become text, never a broken tool_use", async () => {
    const m = await final([call(0, "a", "Bash", "I will list files"), c({}, "tool_calls")]);
    expect(m.content).toMatchObject([{ type: "text", text: "[invalid tool call Bash: I will list files]" }]);
    expect(m.stop_reason).toBe("end_turn");
  });

  test("hashed long tool names map back to the declared name", async () => {
    const long = TOOLS[2]!.name;
    const m = await final([call(0, "a", toBackendToolName(long), "{}"), c({}, "tool_calls")]);
    expect(m.content).toMatchObject([{ type: "tool_use", name: long }]);
  });

  test("renamed tools (case/underscores) map back", async () => {
    const m = await final([call(0, "a", "bash", '{"command":"ls"}'), c({}, "tool_calls")]);
    expect(m.content).toMatchObject([{ type: "tool_use", name: "Bash" }]);
  });

  test("text after a tool call completes the call first", async () => {
    const m = await final([call(0, "a", "Bash", '{"command":"ls"}'), c({ content: "after" }), c({}, "stop")]);
    expect(m.content.map((b) => b.type)).toEqual(["tool_use", "text"]);
    expect(m.stop_reason).toBe("tool_use");
  });
});

describe("stream translator: finish and usage", () => {
  test("length inside tool arguments drops the cut call: max_tokens", async () => {
    const m = await final([c({ content: "Running" }), call(0, "a", "Bash", '{"command":"echo hel'), c({}, "length")]);
    expect(m.content).toMatchObject([{ type: "text", text: "Running" }, { type: "text", text: cutOffNote("Bash") }]);
    expect(m.stop_reason).toBe("max_tokens");
  });

  test("length keeps complete earlier calls but still reports max_tokens", async () => {
    const m = await final([call(0, "a", "Bash", '{"command":"ls"}'), call(1, "b", "Bash", '{"comm'), c({}, "length")]);
    expect(m.content).toMatchObject([{ type: "tool_use", input: { command: "ls" } }, { type: "text", text: cutOffNote("Bash") }]);
    expect(m.stop_reason).toBe("max_tokens");
  });

  test("length inside <think>", async () => {
    const m = await final([c({ content: "<think>long reasoning" }), c({}, "length")]);
    expect(m.content).toMatchObject([{ type: "thinking", thinking: "long reasoning" }]);
    expect(m.stop_reason).toBe("max_tokens");
  });

  const stops: [string, string | null, boolean, string][] = [
    ["stop without tools", "stop", false, "end_turn"],
    ["stop with tool calls (LM Studio < 0.3.15)", "stop", true, "tool_use"],
    ["EOF without finish_reason", null, false, "end_turn"],
    ["EOF without finish_reason after a tool call", null, true, "tool_use"],
    ["content_filter", "content_filter", false, "refusal"],
    ["tool_calls", "tool_calls", true, "tool_use"],
  ];
  for (const [name, finish, withTool, want] of stops) {
    test(`stop reason: ${name}`, async () => {
      const chunks = [withTool ? call(0, "a", "Bash", '{"command":"ls"}') : c({ content: "x" })];
      if (finish) chunks.push(c({}, finish));
      expect((await final(chunks)).stop_reason).toBe(want as never);
    });
  }

  const stopCases: [string, string[], string[], string, string | null][] = [
    ["in one chunk", ["Hello END world"], ["END"], "Hello ", "END"],
    ["across a chunk boundary", ["Hello E", "N", "D world"], ["END"], "Hello ", "END"],
    ["a partial match that is not a stop", ["Hello EN", "X world"], ["END"], "Hello ENX world", null],
    ["the earliest of several", ["a STOP b END c"], ["END", "STOP"], "a ", "STOP"],
    ["at the very end, held until the end", ["Hello EN"], ["END"], "Hello EN", null],
  ];
  for (const [name, pieces, stops, text, matched] of stopCases) {
    test(`stop sequence ${name} (T9)`, async () => {
      const m = await final([...pieces.map((p) => c({ content: p })), c({}, "stop")], { stopSequences: stops });
      expect(m.content).toMatchObject([{ type: "text", text }]);
      expect(m.stop_reason).toBe(matched ? "stop_sequence" : "end_turn");
      expect(m.stop_sequence).toBe(matched as never);
    });
  }

  test("after a stop sequence the translator reports it stopped and ignores the rest", () => {
    const t = translator({ stopSequences: ["END"] });
    t.commit();
    t.chunk(c({ content: "ab END cd" }));
    expect(t.stopped).toBe(true);
    expect(t.chunk(c({ content: "more" }))).toEqual([]);
  });

  test("vLLM stop_reason naming a requested stop sequence", async () => {
    const m = await final([c({ content: "x" }), { choices: [{ delta: {}, finish_reason: "stop", stop_reason: "END" }] } as Chunk], { stopSequences: ["END"] });
    expect(m.stop_reason).toBe("stop_sequence");
    expect(m.stop_sequence).toBe("END");
  });

  const usages: [string, Chunk[], object][] = [
    ["on a choices:[] chunk", [c({ content: "x" }, "stop"), usage(1000, 20, 900)], { input_tokens: 100, cache_read_input_tokens: 900, output_tokens: 20 }],
    ["on the finish chunk", [c({ content: "x" }, "stop", { usage: { prompt_tokens: 30, completion_tokens: 3 } })], { input_tokens: 30, cache_read_input_tokens: 0, output_tokens: 3 }],
    ["on every chunk (last wins)", [c({ content: "x" }, null, { usage: { prompt_tokens: 30, completion_tokens: 1 } }), c({ content: "y" }, "stop", { usage: { prompt_tokens: 30, completion_tokens: 2 } })], { input_tokens: 30, output_tokens: 2 }],
    ["llama.cpp timings.cache_n", [c({ content: "x" }, "stop", { usage: { prompt_tokens: 500, completion_tokens: 5 }, timings: { cache_n: 400 } })], { input_tokens: 100, cache_read_input_tokens: 400 }],
    ["OpenRouter cache writes", [c({ content: "x" }, "stop", { usage: { prompt_tokens: 500, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 300 } } })], { input_tokens: 100, cache_read_input_tokens: 100, cache_creation_input_tokens: 300 }],
    ["absent: estimated, never zero", [c({ content: "twelve chars" }, "stop")], { input_tokens: 50, output_tokens: 3 }],
  ];
  for (const [name, chunks, want] of usages) {
    test(`usage ${name}`, async () => {
      expect((await final(chunks)).usage).toMatchObject(want);
    });
  }

  test("message_start carries the estimate; message_delta the real numbers", () => {
    const events = run([c({ content: "x" }, "stop"), usage(1000, 20, 900)]);
    expect(events[0]).toMatchObject({ type: "message_start", message: { usage: { input_tokens: 50, output_tokens: 1 } } });
  });
});

describe("stream translator: errors", () => {
  test("error after content closes the open block and ends with one error event", async () => {
    const t = translator({ inlineThink: false });
    const events = [...t.commit(), ...t.chunk(c({ content: "partial" })), ...t.fail(new AnthropicError(529, "overloaded_error", "Overloaded"))];
    assertGrammar(events);
    expect(events.slice(-2)).toEqual([
      { type: "content_block_stop", index: 0 },
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    ]);
    expect(t.end()).toEqual([]);
    // The SDK's accumulator never yields a Message from an errored stream (HTTP tests check the APIError).
    await expect(sdkFinalMessage(events)).rejects.toThrow();
  });

  test("nothing after end(): no second message_stop, no late error", () => {
    const t = translator();
    t.chunk(c({ content: "x" }, "stop"));
    const first = t.end();
    expect(first.filter((e) => e.type === "message_stop")).toHaveLength(1);
    expect(t.fail(new AnthropicError(500, "api_error", "late"))).toEqual([]);
    expect(t.end()).toEqual([]);
  });

  test("non-streaming response (message instead of delta) uses the same machine", async () => {
    const t = translator();
    const events = [
      ...t.chunk({
        choices: [{ message: { content: "<think>hm</think>Hi", tool_calls: [{ id: "c", function: { name: "Bash", arguments: '{"command":"ls"}' } }] }, finish_reason: "tool_calls" }],
        usage: { prompt_tokens: 7, completion_tokens: 3 },
      } as Chunk),
      ...t.end(),
    ];
    assertGrammar(events);
    const m = await sdkFinalMessage(events);
    expect(m.content).toMatchObject([{ type: "thinking", thinking: "hm" }, { type: "text", text: "Hi" }, { type: "tool_use", input: { command: "ls" } }]);
  });
});
