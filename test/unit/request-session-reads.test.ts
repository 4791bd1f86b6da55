// A long Claude Code session read turn after turn (each body the one before plus a tool call and its
// result, the cache_control moved to the newest message, as scripts/bench/session-bodies.ts grows
// the captured print-mode-bash-tool-result request): each read must be what a fresh validator reads,
// and what was remembered must be handed out again. Bodies are JSON.stringify's, as Claude Code's.
import { describe, expect, test } from "bun:test";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { readOutcome } from "../helpers/read-outcome.ts";

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

/** Reads the bodies in turn; each must be a fresh validator's read. Returns the reads. */
function readAll(texts: string[]) {
  const validator = new RequestValidator();
  return texts.map((t) => {
    const got = validator.read(utf8(t));
    expect(readOutcome(() => got)).toEqual(readOutcome(() => new RequestValidator().read(utf8(t))));
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

describe("a long session's conversation", () => {
  const turns = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => JSON.stringify({ ...fresh(), messages: session(from + i) }));

  test("turn after turn, every message but the one whose cache_control moved is handed out again", () => {
    const reads = readAll(turns(20, 40));
    for (let t = 1; t < reads.length; t++) {
      const [before, now] = [reads[t - 1]!.request.messages, reads[t]!.request.messages];
      for (let i = 0; i < before.length - 1; i++) expect(now[i]).toBe(before[i]!);
      expect(now[before.length - 1]).not.toBe(before.at(-1)!);
    }
  });

  test("a message edited deep in the history: those before it are handed out again, the rest read anew", () => {
    const edited = session(31).map((m, i) => (i === 17 ? { ...m, content: [{ type: "text", text: "edited" }] } : m));
    const [, , before, now] = readAll([...turns(28, 30), JSON.stringify({ ...fresh(), messages: edited })]);
    for (let i = 0; i < 17; i++) expect(now!.request.messages[i]).toBe(before!.request.messages[i]!);
    for (let i = 17; i < before!.request.messages.length; i++) expect(now!.request.messages[i]).not.toBe(before!.request.messages[i]!);
  });

  test("the same turn twice, then the conversation cut short", () => {
    const [a, b, c] = readAll([...turns(12, 12), ...turns(12, 12), JSON.stringify({ ...fresh(), messages: session(12).slice(0, 9) })]);
    for (let i = 0; i < a!.request.messages.length; i++) expect(b!.request.messages[i]).toBe(a!.request.messages[i]!);
    for (let i = 0; i < 8; i++) expect(c!.request.messages[i]).toBe(a!.request.messages[i]!);
  });
});

test("a message first sent escaped otherwise than JSON.stringify writes it, then as it writes it, is handed out again", () => {
  const messages = [...session(3), { role: "assistant", content: "café" }];
  const escaped = JSON.stringify({ ...fresh(), messages }).replace("café", "caf\\u00e9");
  const [first, second] = readAll([escaped, JSON.stringify({ ...fresh(), messages: [...messages, { role: "user", content: "more" }] })]);
  for (let i = 0; i < messages.length; i++) expect(second!.request.messages[i]).toBe(first!.request.messages[i]!);
});
