// Which call a streamed fragment belongs to (tool-call-keys.ts), through the stream translator:
// every way servers and gateways are known to label fragments, as a table of fragments → the calls
// Claude Code gets. Never two calls where the model made one, never one where it made two.
import { describe, expect, test } from "bun:test";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
import type { Chunk } from "../../src/protocol/openai.ts";
import { sequentialIds } from "../../src/translate/ids.ts";
import { StreamTranslator } from "../../src/translate/stream.ts";
import { makeToolIndex } from "../../src/translate/tool-index.ts";
import { assertGrammar } from "../helpers/grammar.ts";

const TOOLS = [
  { name: "Bash", input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] } },
  { name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } } } },
];

/** One tool_calls fragment: [index, id, name, arguments]; undefined leaves the field out. */
type Fragment = [index: number | undefined, id: string | undefined, name: string | undefined, args: string | undefined];
/** A chunk of fragments, or text between them. */
type Step = Fragment[] | { text: string };
type Call = [name: string, input: Record<string, unknown>];

function chunkOf(step: Step): Chunk {
  if (!Array.isArray(step)) return { choices: [{ index: 0, delta: { content: step.text }, finish_reason: null }] } as Chunk;
  const tool_calls = step.map(([index, id, name, args]) => ({
    ...(index === undefined ? {} : { index }),
    ...(id === undefined ? {} : { id, type: "function" }),
    function: { ...(name === undefined ? {} : { name }), ...(args === undefined ? {} : { arguments: args }) },
  }));
  return { choices: [{ index: 0, delta: { tool_calls }, finish_reason: null }] } as Chunk;
}

function callsFrom(steps: Step[], warnings: string[] = []): Call[] {
  const note = (level: string, message: string) => level === "warn" && warnings.push(message);
  const t = new StreamTranslator({ model: "m", tools: makeToolIndex(TOOLS), estimatedInputTokens: 1, ids: sequentialIds(), sign: () => "s", inlineThink: false, note });
  const events: AnthropicEvent[] = [];
  for (const step of steps) events.push(...t.chunk(chunkOf(step)));
  events.push(...t.chunk({ choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] } as Chunk), ...t.end());
  assertGrammar(events);
  const names = new Map<number, string>();
  const calls: Call[] = [];
  for (const e of events) {
    if (e.type === "content_block_start" && e.content_block.type === "tool_use") names.set(e.index, e.content_block.name);
    if (e.type === "content_block_delta" && e.delta.type === "input_json_delta") calls.push([names.get(e.index)!, JSON.parse(e.delta.partial_json)]);
  }
  return calls;
}

const LS: Call = ["Bash", { command: "ls" }];
const README: Call = ["Read", { file_path: "README.md" }];

const ONE_CALL: [string, Step[], Call[]][] = [
  ["OpenAI: header, then bare fragments", [[[0, "c1", "Bash", ""]], [[0, undefined, undefined, '{"command":']], [[0, undefined, undefined, '"ls"}']]], [LS]],
  ["the id on every fragment (spring-ai#5973, litellm#20480)", [[[0, "c1", "Bash", '{"command":']], [[0, "c1", undefined, '"ls"}']]], [LS]],
  ["id and name on every fragment (hermes-agent#8094)", [[[0, "c1", "Bash", '{"command":']], [[0, "c1", "Bash", '"ls"}']]], [LS]],
  ["the header again with nothing left, after complete arguments (vllm#44098)", [[[0, "c1", "Read", ""]], [[0, undefined, undefined, '{"file_path": "README.md"}']], [[0, "c1", "Read", ""]]], [README]],
  ["the header again with the arguments double-encoded (litellm#20480)", [[[0, "c1", "Bash", '{"command": "ls"}']], [[0, "c1", "Bash", JSON.stringify('{"command": "ls"}')]]], [LS]],
  ["the header again with the whole arguments, after the call was closed by text", [[[0, "c1", "Bash", '{"command":"ls"}']], { text: "Running it." }, [[0, "c1", "Bash", '{"command":"ls"}']]], [LS]],
  ["the whole arguments again without a header (vllm#51697)", [[[0, "c1", "Read", '{"file_path": "README.md"}']], [[0, undefined, undefined, '{"file_path": "README.md"}']]], [README]],
  ["the name grown with the same id (llama.cpp compute_diffs)", [[[0, "c1", "Bash", "{"]], [[0, "c1", "BashOutput", ""]], [[0, undefined, undefined, '"bash_id": "b1"}']]], [["BashOutput", { bash_id: "b1" }]]],
  ["ids changing between bare fragments (mlx-openai-server#216)", [[[0, "a", "Read", ""]], [[0, "b", undefined, '{"file_path": ']], [[0, "b", undefined, '"README.md"}']]], [README]],
  ["no index, the id on every fragment", [[[undefined, "c1", "Bash", '{"command":']], [[undefined, "c1", undefined, '"ls"}']], [[undefined, "c1", "Bash", ""]]], [LS]],
  ["the end of a call on the next index without id or name (vllm#37070)", [[[0, "c1", "Bash", '{"command":"l']], [[1, undefined, undefined, 's"}']]], [LS]],
  ["no index, no id: fragments of the last call", [[[undefined, undefined, "Bash", '{"command":']], [[undefined, undefined, undefined, '"ls"}']]], [LS]],
];

const TWO_CALLS: [string, Step[], Call[]][] = [
  ["parallel calls on their own indices", [[[0, "a", "Bash", '{"command":"ls"}'], [1, "b", "Read", '{"file_path":"README.md"}']]], [LS, README]],
  ["the same id on two indices (model-written ids such as functions.Bash:0)", [[[0, "functions.Bash:0", "Bash", '{"command":"ls"}']], [[1, "functions.Bash:0", "Read", '{"file_path":"README.md"}']]], [LS, README]],
  ["every call on index 0 with its own id (Ollama #15457, Groq via litellm#7621)", [[[0, "a", "Bash", '{"command":"ls"}']], [[0, "b", "Read", '{"file_path":"README.md"}']]], [LS, README]],
  ["two identical calls on index 0 with their own ids (llama_index#22464)", [[[0, "a", "Bash", '{"command":"ls"}']], [[0, "b", "Bash", '{"command":"ls"}']]], [LS, LS]],
  ["index 0 reused, later fragments with empty ids (LM Studio 0.3.17)", [[[0, "1", "Bash", ""]], [[0, "", undefined, '{"command":"ls"}']], [[0, "2", "Read", ""]], [[0, "", undefined, '{"file_path":"README.md"}']]], [LS, README]],
  ["index 0 and the id reused for another tool (an OpenRouter provider, hass_local_openai_llm#92)", [[[0, "t1", "Bash", '{"command":"ls"}']], [[0, "t1", "Read", '{"file_path":"README.md"}']]], [LS, README]],
  ["index 0 reused without ids: a name after complete arguments", [[[0, undefined, "Bash", '{"command":"ls"}']], [[0, undefined, "Read", '{"file_path":"README.md"}']]], [LS, README]],
  ["no index, each call with its own id", [[[undefined, "a", "Bash", '{"command":"ls"}']], [[undefined, "b", "Read", '{"file_path":"README.md"}']]], [LS, README]],
];

describe("tool-call keys", () => {
  for (const [name, steps, calls] of [...ONE_CALL, ...TWO_CALLS]) test(name, () => expect(callsFrom(steps)).toEqual(calls));

  test("a bare fragment on a new index after the last call is complete is not added to it", () => {
    const notes: string[] = [];
    const calls = callsFrom([[[0, "c1", "Bash", '{"command":"ls"}']], [[1, undefined, undefined, '{"command":"pwd"}']]], notes);
    expect(calls).toEqual([LS]);
    expect(notes).toEqual(["dropped tool call without a name"]);
  });
});
