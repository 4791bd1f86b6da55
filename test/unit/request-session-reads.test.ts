// A long Claude Code session read turn after turn (each body the one before plus a tool call and its
// result, the cache_control moved to the newest message, as scripts/bench/session-bodies.ts grows
// the captured print-mode-bash-tool-result request): each read must be what a fresh validator reads,
// and what was remembered must be handed out again. Bodies are JSON.stringify's, as Claude Code's.
import { describe, expect, test } from "bun:test";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { loadFixture } from "../helpers/fixtures.ts";

type Message = { role: string; content: unknown };
type Body = Record<string, unknown> & { messages: Message[]; system: unknown[]; tools: unknown[] };
const fresh = () => loadFixture("print-mode-bash-tool-result").body as Body;
const utf8 = (t: string) => new TextEncoder().encode(t);

function toolTurn(i: number, last: boolean, input: object = { command: `cat src/module_${i}/*.ts` }): Message[] {
  const id = `toolu_${String(i).padStart(4, "0")}`;
  return [
    { role: "assistant", content: [{ type: "text", text: `Reading module ${i}.` }, { type: "tool_use", id, name: "Bash", input }] },
    { role: "user", content: [{ tool_use_id: id, type: "tool_result", content: `file ${i}`, ...(last ? { cache_control: { type: "ephemeral" } } : {}) }] },
  ];
}
const session = (turns: number, input?: (i: number) => object) =>
  [...fresh().messages.slice(0, 2), ...Array.from({ length: turns }, (_, i) => toolTurn(i, i === turns - 1, input?.(i))).flat()];

function outcome(read: () => { request: unknown; body: unknown; chars: number; text(): string }) {
  try {
    const r = read();
    return { request: r.request, body: r.body, chars: r.chars, text: r.text() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Reads the bodies in turn; each must be a fresh validator's read. Returns the reads. */
function readAll(texts: string[]) {
  const validator = new RequestValidator();
  return texts.map((t) => {
    const got = validator.read(utf8(t));
    expect(outcome(() => got)).toEqual(outcome(() => new RequestValidator().read(utf8(t))));
    return got;
  });
}

describe("the system prompt and tools after a remembered conversation", () => {
  test("the same system prompt quoted in a tool input before the body's own leaves the conversation reused", () => {
    const input = (i: number) => (i === 1 ? { system: fresh().system, tools: fresh().tools } : { command: `ls ${i}` });
    const [first, second] = readAll([6, 7].map((n) => JSON.stringify({ ...fresh(), messages: session(n, input) })));
    // All but the message whose cache_control moved.
    for (let i = 0; i < first!.request.messages.length - 1; i++) expect(second!.request.messages[i]).toBe(first!.request.messages[i]!);
    expect(second!.request.system).toBe(first!.request.system!);
    expect(second!.request.tools).toBe(first!.request.tools!);
  });

  test("a client that sends its system prompt and tools before the messages", () => {
    const order = (n: number) => {
      const { system, tools, messages, ...rest } = fresh();
      return JSON.stringify({ system, tools, ...rest, messages: session(n) });
    };
    const [first, second] = readAll([order(3), order(4)]);
    expect(second!.request.messages[2]).toBe(first!.request.messages[2]!);
    // Not parsed again: the list read before stands in the body.
    expect((second!.body as Body).system).toBe((first!.body as Body).system);
    expect((second!.body as Body).tools).toBe((first!.body as Body).tools);
  });
});
