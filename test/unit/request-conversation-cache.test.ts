// The unchanged first messages of a conversation cost a comparison: the validator hands out the
// messages it checked before, frozen, and the request, body, length and text are those of a full
// read. Whatever differs (one byte, a message more or less, a moved key) is read again.
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { loadFixture } from "../helpers/fixtures.ts";
import { readOutcome } from "../helpers/read-outcome.ts";

type Message = { role: string; content: unknown };
const fresh = (name = "print-mode-bash-tool-result") => loadFixture(name).body as Record<string, unknown> & { messages: Message[] };
const utf8 = (t: string) => new TextEncoder().encode(t);
const withMessages = (messages: unknown[], body = fresh()) => JSON.stringify({ ...body, messages });
/** The text with the letter at `i` changed to another ASCII letter: the same length in bytes. */
const swapAt = (text: string, i: number) => `${text.slice(0, i)}${text[i] === "x" ? "y" : "x"}${text.slice(i + 1)}`;

describe("a conversation's first messages are not read again", () => {
  const base = fresh().messages;
  const clone = () => structuredClone(base);
  // [name, the next body, how many of the remembered messages it reuses]
  const cases: [string, string, number][] = [
    ["the same conversation", withMessages(base), 4],
    ["one message more", withMessages([...base, { role: "assistant", content: [{ type: "text", text: "Done." }] }]), 4],
    ["the last message changed in one byte", withMessages(clone().map((m, i) => (i === 3 ? { ...m, content: JSON.parse(JSON.stringify(m.content).replace("a.txt", "b.txt")) } : m))), 3],
    ["the first message changed in one byte", withMessages(clone().map((m, i) => (i === 0 ? { ...m, content: JSON.parse(JSON.stringify(m.content).replace("Attribution", "AttributioN")) } : m))), 0],
    ["a letter deep in the long second message", withMessages(clone().map((m, i) => (i === 1 ? { ...m, content: swapAt(m.content as string, 5000) } : m))), 1],
    ["a key's place changed in the third", withMessages(clone().map((m, i) => (i === 2 ? { content: m.content, role: m.role } : m))), 2],
    ["the first two only", withMessages(base.slice(0, 2)), 2],
    ["the first two, then others", withMessages([...base.slice(0, 2), { role: "user", content: "new" }]), 2],
    ["a message dropped from the middle", withMessages([base[0], base[2], base[3]]), 1],
    ["an invalid message after the reused ones", withMessages([...base, { role: "robot", content: "x" }]), 4],
    ["an invalid block deep in a later message", withMessages([...base, { role: "user", content: [{ type: "tool_use", id: "", name: "x", input: {} }] }]), 4],
    ["spaces between messages", `${withMessages(base.slice(0, 1)).replace('"messages":[', '"messages":[ ').replace("}]},", "}]} ,")}`, 0],
    ["the messages quoted in metadata before the body's own", JSON.stringify({ model: "m", metadata: { messages: base }, messages: base, max_tokens: 5 }), 0],
    ["the messages, then a second messages key that JSON.parse keeps", `${withMessages(base).slice(0, -1)},"messages":[{"role":"user","content":"other"}]}`, 0],
    ["no messages at all", JSON.stringify({ ...fresh(), messages: [] }), 0],
    ["a message that is not an object", withMessages([...base, 7]), 4],
  ];
  for (const [name, t, reused] of cases)
    test(name, () => {
      const validator = new RequestValidator();
      const first = validator.read(utf8(withMessages(base)));
      const got = readOutcome(() => validator.read(utf8(t)));
      expect(got).toEqual(readOutcome(() => new RequestValidator().read(utf8(t))));
      if ("request" in got) {
        expect(got.text).toBe(t);
        expect(got.chars).toBe(t.length);
        expect(got.request).toEqual(v.parse(MessagesRequestSchema, JSON.parse(t)));
        const messages = (got.request as { messages: unknown[] }).messages;
        for (let i = 0; i < messages.length; i++) {
          if (i < reused) expect(messages[i]).toBe(first.request.messages[i]!);
          else if (i < first.request.messages.length) expect(messages[i]).not.toBe(first.request.messages[i]!);
        }
        // Remembered (frozen) unless its bytes are not JSON.stringify's, which would never match again.
        const compact = t.startsWith(`"messages":[${JSON.stringify(JSON.parse(t).messages[0])}`, t.indexOf('"messages":['));
        for (const m of messages) expect(Object.isFrozen(m)).toBe(compact);
      }
    });

  test("the next turn of a captured session reuses its first message (the second moved its cache_control)", () => {
    const validator = new RequestValidator();
    const first = validator.read(utf8(JSON.stringify(fresh("print-mode-hello"))));
    const t = JSON.stringify(fresh());
    const next = validator.read(utf8(t));
    expect(next.request.messages[0]).toBe(first.request.messages[0]!);
    expect(next.request.messages[1]).not.toBe(first.request.messages[1]!);
    expect(next.request).toEqual(v.parse(MessagesRequestSchema, JSON.parse(t)));
    // The turn after reuses all four.
    const third = validator.read(utf8(withMessages([...fresh().messages, { role: "assistant", content: "ok" }, { role: "user", content: "more" }])));
    for (let i = 0; i < 4; i++) expect(third.request.messages[i]).toBe(next.request.messages[i]!);
  });

  test("a client that does not write JSON as JSON.stringify does gets no conversation remembered", () => {
    const validator = new RequestValidator();
    const spaced = (messages: unknown[]) => utf8(JSON.stringify({ ...fresh(), messages }, null, 1));
    const first = validator.read(spaced(base)).request;
    expect(Object.isFrozen(first.messages[0])).toBe(false);
    const second = validator.read(spaced(base)).request;
    expect(second.messages[0]).not.toBe(first.messages[0]!);
    expect(second).toEqual(v.parse(MessagesRequestSchema, JSON.parse(new TextDecoder().decode(spaced(base)))));
  });

  test("an error after many reused messages names its place in the body, as a full read does", () => {
    const long = [...base, ...Array.from({ length: 9 }, (_, i) => [{ role: "assistant", content: `a${i}` }, { role: "user", content: `u${i}` }]).flat()];
    for (const bad of [{ role: "robot", content: "x" }, { role: "user", content: [{ type: "image", source: {} }] }, 7]) {
      const validator = new RequestValidator();
      validator.read(utf8(withMessages(long)));
      const t = withMessages([...long, { role: "assistant", content: "ok" }, bad]);
      const got = readOutcome(() => validator.read(utf8(t)));
      expect(got).toEqual(readOutcome(() => new RequestValidator().read(utf8(t))));
      expect((got as { error: string }).error).toMatch(/^messages\.23/);
    }
  });

  test("interleaved conversations each keep their messages", () => {
    const validator = new RequestValidator();
    const other = [{ role: "user", content: "Write a title for this chat" }];
    const a = validator.read(utf8(withMessages(base))).request;
    const b = validator.read(utf8(withMessages(other))).request;
    expect(validator.read(utf8(withMessages(base))).request.messages[3]).toBe(a.messages[3]!);
    expect(validator.read(utf8(withMessages(other))).request.messages[0]).toBe(b.messages[0]!);
  });

  test("a body nested past the depth limit after reused messages is refused as a full read refuses it", () => {
    const validator = new RequestValidator();
    validator.read(utf8(withMessages(base)));
    let deep: unknown = 1;
    for (let i = 0; i < 1005; i++) deep = [deep];
    const t = withMessages([...base, { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { deep } }] }]);
    expect(() => validator.read(utf8(t))).toThrow("request body nests deeper than 1000 levels");
  });
});
