// Held-out attack on issue 9 (1): a tool call cut off in every server shape — streamed with or
// without [DONE], one chat.completion JSON body, the second of two parallel calls — and every
// finish_reason (tool_calls, stop, length, none). Whatever the shape, the client gets either
// exactly the full call or no tool_use at all, and the answer always ends well-formed. Ollama's
// arguments-as-object (its /v1 sends an object when the model's template emits one) still run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Listening } from "../../src/runtime/serve.ts";
import { DONE, finish, sse, toolArgs, toolStart, usageChunk } from "../helpers/chunks.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { startProxy } from "../helpers/proxy.ts";
import { type Reply, startUpstream, type Upstream } from "../helpers/upstream.ts";

const BASH = { command: "touch /tmp/anyclaude-cut-marker", description: "Create the marker" };
const BASH_ARGS = JSON.stringify(BASH);

/** [tool, arguments as cut, where]: tool names and schemas are the captured Claude Code request's. */
const CUTS: [string, string, string][] = [
  ["Bash", '{"command": "touch /tmp/\\u00', "inside a \\u escape"],
  ["Bash", '{"command": "touch /tmp/a\\', "right after a backslash"],
  ["Bash", '{"command": "touch /tmp/anyclaude-cut-marker", "description": "Create', "inside the last string"],
  ["Bash", '{"command": "touch /tmp/anyclaude-cut-marker"', "before the closing brace, optional keys missing"],
  ["Bash", '{"command": "touch /tmp/anyclaude-cut-marker",', "after a comma"],
  ["Write", '{"file_path": "/tmp/a.txt", "content": "a\\\\b \\u00e9 [1,{\\"x\\":2', "inside Write content that looks like JSON"],
  ["Edit", '{"file_path": "/tmp/a.txt", "old_string": "x", "new_string": "y"', "Edit without replace_all and brace"],
  ["Edit", '{"file_path": "/tmp/a.txt", "old_string": "x", "new_string": "y", "replace_all": tr', "inside a literal"],
];
const FINISHES = ["tool_calls", "stop", "length", null] as const;
type Shape = "sse" | "sse without [DONE]" | "json" | "second of two parallel";
const SHAPES: Shape[] = ["sse", "sse without [DONE]", "json", "second of two parallel"];

function reply(name: string, args: string | Record<string, unknown>, fin: string | null, shape: Shape): Reply {
  if (shape === "json")
    return {
      kind: "json",
      body: { id: "c", object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name, arguments: args } }] }, finish_reason: fin }], usage: { prompt_tokens: 1, completion_tokens: 1 } },
    };
  const end = [...(fin ? [finish(fin)] : []), usageChunk(1, 1)];
  const cut = typeof args === "string" ? [toolStart(shape === "second of two parallel" ? 1 : 0, "call_1", name, args.slice(0, 5)), toolArgs(shape === "second of two parallel" ? 1 : 0, args.slice(5))] : [];
  if (shape === "second of two parallel") return sse(toolStart(0, "call_0", "Bash", BASH_ARGS), ...cut, ...end, DONE);
  return sse(...cut, ...end, ...(shape === "sse" ? [DONE] : []));
}

let next: Reply;
let upstream: Upstream;
let proxy: Listening;
beforeAll(async () => {
  upstream = await startUpstream(() => next);
  proxy = await startProxy({ upstreamUrl: upstream.url });
});
afterAll(async () => {
  await proxy.stop();
  await upstream.stop();
});

interface Use {
  name: string;
  input: unknown;
}

/** The tool_use blocks the client got, after checking the answer is well-formed and ended. */
async function toolUses(stream: boolean): Promise<Use[]> {
  const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...loadFixture("print-mode-hello").body, stream }) });
  const text = await res.text();
  if (res.status !== 200) {
    expect(JSON.parse(text)).toMatchObject({ type: "error", error: { type: expect.any(String), message: expect.any(String) } });
    return [];
  }
  if (!stream) return (JSON.parse(text).content as { type: string; name: string; input: unknown }[]).filter((b) => b.type === "tool_use").map(({ name, input }) => ({ name, input }));
  expect(text).toMatch(/event: (message_stop|error)\n[^\n]*\n\n$/);
  const blocks = new Map<number, { name: string; json: string }>();
  for (const [, data] of text.matchAll(/^data: (.*)$/gm)) {
    const e = JSON.parse(data!);
    if (e.type === "content_block_start" && e.content_block.type === "tool_use") blocks.set(e.index, { name: e.content_block.name, json: "" });
    if (e.type === "content_block_delta" && e.delta.type === "input_json_delta") blocks.get(e.index)!.json += e.delta.partial_json;
  }
  return [...blocks.values()].map((b) => ({ name: b.name, input: JSON.parse(b.json || "{}") }));
}

describe("a cut call is never a tool_use, in any shape", () => {
  for (const [name, args, where] of CUTS)
    for (const fin of FINISHES)
      for (const shape of SHAPES)
        test(`${name} cut ${where}; finish_reason ${fin}; ${shape}`, async () => {
          for (const stream of [true, false]) {
            next = reply(name, args, fin, shape);
            const uses = await toolUses(stream);
            // Only the complete first call of the parallel pair may come through, exactly as sent.
            for (const use of uses) expect(use).toEqual({ name: "Bash", input: BASH });
            expect(uses.length).toBeLessThanOrEqual(shape === "second of two parallel" ? 1 : 0);
          }
        });
});

describe("complete calls still run in every shape (the table above can fail)", () => {
  for (const shape of SHAPES)
    test(`full Bash call; ${shape}`, async () => {
      for (const stream of [true, false]) {
        next = shape === "second of two parallel" ? sse(toolStart(0, "call_0", "Bash", BASH_ARGS), toolStart(1, "call_1", "Bash", BASH_ARGS), finish("tool_calls"), DONE) : reply("Bash", BASH_ARGS, "tool_calls", shape);
        expect(await toolUses(stream)).toEqual(shape === "second of two parallel" ? [{ name: "Bash", input: BASH }, { name: "Bash", input: BASH }] : [{ name: "Bash", input: BASH }]);
      }
    });
  test("Ollama's arguments as an object (non-streaming)", async () => {
    for (const stream of [true, false]) {
      next = reply("Bash", BASH, "tool_calls", "json");
      expect(await toolUses(stream)).toEqual([{ name: "Bash", input: BASH }]);
    }
  });
});
