// Issue 9 through the stream translator: chunks → events for every prefix of real calls, under
// every finish_reason. A cut call is never a tool_use; the user is told which call and why.
import { describe, expect, test } from "bun:test";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";
import type { Chunk } from "../../src/protocol/openai.ts";
import { AnthropicError } from "../../src/translate/errors.ts";
import { sequentialIds } from "../../src/translate/ids.ts";
import { type NoteLevel, StreamTranslator } from "../../src/translate/stream.ts";
import { cutOffNote } from "../../src/translate/tool-args.ts";
import { makeToolIndex } from "../../src/translate/tool-index.ts";
import { assertGrammar } from "../helpers/grammar.ts";
import { CLAUDE_CODE_TOOLS, prefixesOf, REAL_CALLS } from "../helpers/tool-calls.ts";

type Note = { level: NoteLevel; message: string };
type Outcome = { events: AnthropicEvent[]; thrown?: AnthropicError; notes: Note[] };

const chunk = (delta: Record<string, unknown>, finish: string | null = null): Chunk => ({ choices: [{ index: 0, delta, finish_reason: finish }] }) as Chunk;

/** The chunks a server streams for one call: its arguments in small fragments, then the finish. */
function callChunks(name: string, args: string, finish: string | null, textBefore: string | null): Chunk[] {
  const pieces = args.match(/[\s\S]{1,7}/g) ?? [""];
  return [
    chunk({ role: "assistant", content: "" }),
    ...(textBefore ? [chunk({ content: textBefore })] : []),
    chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name, arguments: pieces[0] } }] }),
    ...pieces.slice(1).map((p) => chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] })),
    ...(finish ? [chunk({}, finish)] : []),
  ];
}

function translate(chunks: Chunk[], commitEarly: boolean): Outcome {
  const notes: Note[] = [];
  const t = new StreamTranslator({
    model: "claude-test",
    tools: makeToolIndex(CLAUDE_CODE_TOOLS),
    estimatedInputTokens: 10,
    ids: sequentialIds(),
    sign: () => "sig",
    inlineThink: true,
    note: (level, message) => notes.push({ level, message }),
  });
  const events = commitEarly ? t.commit() : [];
  for (const c of chunks) events.push(...t.chunk(c));
  try {
    events.push(...t.end());
  } catch (e) {
    if (!(e instanceof AnthropicError)) throw e;
    return { events, thrown: e, notes };
  }
  assertGrammar(events);
  return { events, notes };
}

const toolInputs = (events: AnthropicEvent[]) =>
  events.flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "input_json_delta" ? [JSON.parse(e.delta.partial_json)] : []));
const texts = (events: AnthropicEvent[]) => events.flatMap((e) => (e.type === "content_block_delta" && e.delta.type === "text_delta" ? [e.delta.text] : []));
const stopReason = (events: AnthropicEvent[]) => events.flatMap((e) => (e.type === "message_delta" ? [e.delta.stop_reason] : []))[0];

const FINISHES = ["tool_calls", "stop", "length", null] as const;
const VARIANTS = [
  { name: "the call alone", textBefore: null, commitEarly: false },
  { name: "the call alone, committed early", textBefore: null, commitEarly: true },
  { name: "after some text", textBefore: "Let me do that.", commitEarly: false },
] as const;

describe("stream translator over every truncation point of real calls", () => {
  for (const { name, args } of REAL_CALLS) {
    const full = JSON.parse(args) as Record<string, unknown>;
    const note = cutOffNote(name);
    for (const finish of FINISHES) {
      for (const v of VARIANTS) {
        test(`${name} ${JSON.stringify(args.slice(0, 30))}…, finish ${finish}, ${v.name}`, () => {
          const whole = translate(callChunks(name, args, finish, v.textBefore), v.commitEarly);
          expect(toolInputs(whole.events)).toEqual([full]);
          expect(stopReason(whole.events)).toBe(finish === "length" ? "max_tokens" : "tool_use");

          for (const prefix of prefixesOf(args)) {
            const { events, thrown, notes } = translate(callChunks(name, prefix, finish, v.textBefore), v.commitEarly);
            const inputs = toolInputs(events);
            const at = { prefix };
            if (inputs.length) {
              // Accepted only as exactly the whole call (every declared property present).
              expect({ ...at, inputs }).toEqual({ ...at, inputs: [full] });
              expect(finish).not.toBe("length");
              continue;
            }
            expect(notes).toContainEqual({ level: "warn", message: expect.stringContaining(`dropped tool call ${name}, not run`) });
            if (v.textBefore) {
              expect({ ...at, texts: texts(events) }).toEqual({ ...at, texts: [v.textBefore, note] });
              expect(stopReason(events)).toBe(finish === "length" ? "max_tokens" : "end_turn");
            } else if (v.commitEarly) {
              expect({ ...at, last: events.at(-1) }).toEqual({ ...at, last: { type: "error", error: { type: "api_error", message: note } } });
            } else {
              expect({ ...at, events, message: thrown?.message }).toEqual({ ...at, events: [], message: note });
              expect(thrown!.status).toBe(500);
            }
          }
        });
      }
    }
  }
});

describe("cut-off notes", () => {
  test("the note names the tool, says it was cut off and not run", () => {
    expect(cutOffNote("Bash")).toStartWith("[anyclaude] The model's Bash call was cut off before its arguments were complete; it was not run.");
  });

  test("a complete call before a cut one still runs; the note ends the turn", () => {
    const { events } = translate(
      [
        chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "Read", arguments: '{"file_path":"/tmp/a"}' } }] }),
        chunk({ tool_calls: [{ index: 1, id: "b", function: { name: "Bash", arguments: '{"command":"rm -rf ./' } }] }),
        chunk({}, "tool_calls"),
      ],
      false,
    );
    expect(toolInputs(events)).toEqual([{ file_path: "/tmp/a" }]);
    expect(texts(events)).toEqual([cutOffNote("Bash")]);
    expect(stopReason(events)).toBe("tool_use");
  });

  test("two cut calls get one note each, in order", () => {
    const { thrown } = translate(
      [
        chunk({ tool_calls: [{ index: 0, id: "a", function: { name: "Write", arguments: '{"file_path":"/tmp/a","content":"x' } }] }),
        chunk({ tool_calls: [{ index: 1, id: "b", function: { name: "Bash", arguments: '{"command":"ls' } }] }),
      ],
      false,
    );
    expect(thrown?.message).toBe(`${cutOffNote("Write")}\n${cutOffNote("Bash")}`);
  });

  test("after thinking, the note is text rather than an error", () => {
    const { events, thrown } = translate(callChunks("Bash", '{"command": "touch /tmp/x/cut', "tool_calls", "<think>I will touch it</think>"), false);
    expect(thrown).toBeUndefined();
    expect(events.map((e) => (e.type === "content_block_start" ? e.content_block.type : null)).filter(Boolean)).toEqual(["thinking", "text"]);
    expect(texts(events)).toEqual([cutOffNote("Bash")]);
  });

  test("a repaired call is noted through the callback", () => {
    const { notes } = translate(callChunks("Bash", "{'command': 'ls',}", "tool_calls", null), false);
    expect(notes).toContainEqual({ level: "debug", message: "repaired arguments of Bash: {'command': 'ls',}" });
  });
});
