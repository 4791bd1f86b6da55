// The run of a conversation's first messages is compared at once; the count it finds must be the
// one comparing the messages one by one finds (the validator's reading before runs, kept here as
// the reference), whatever the next body changed.
import { describe, expect, test } from "bun:test";
import { runAt, runLength, wholeAt } from "../../src/server/message-run.ts";

const bytesOf = (m: unknown) => ({ bytes: Buffer.from(JSON.stringify(m)) });
const bodyOf = (messages: unknown[] | string) => Buffer.from(`{"model":"m","messages":[${typeof messages === "string" ? messages : messages.map((m) => JSON.stringify(m)).join(",")}],"max_tokens":5}`);
const START = '{"model":"m","messages":['.length;

/** The count comparing the messages one by one finds. */
function oneByOne(buf: Buffer, messages: { bytes: Uint8Array }[], start: number): number {
  let pos = start;
  let count = 0;
  for (const m of messages) {
    if (!wholeAt(buf, pos, m.bytes)) break;
    count++;
    pos += m.bytes.length + 1;
    if (buf[pos - 1] === 0x5d) break;
  }
  return count;
}

const messages = Array.from({ length: 9 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `message ${i} ${"é".repeat(i)}` }));
const remembered = messages.map(bytesOf);
const changed = (i: number) => messages.map((m, j) => (j === i ? { ...m, content: `${m.content}!` } : m));

describe("runLength", () => {
  const cases: [string, Buffer][] = [
    ["the same messages", bodyOf(messages)],
    ["one message more", bodyOf([...messages, { role: "user", content: "next" }])],
    ["the last changed", bodyOf(changed(8))],
    ["the first changed", bodyOf(changed(0))],
    ...[1, 2, 3, 4, 5, 6, 7].map((i): [string, Buffer] => [`message ${i} changed`, bodyOf(changed(i))]),
    ["the first four only", bodyOf(messages.slice(0, 4))],
    ["the first only", bodyOf(messages.slice(0, 1))],
    ["no messages", bodyOf([])],
    ["a space after the third", bodyOf(messages.map((m, i) => `${JSON.stringify(m)}${i === 2 ? " " : ""}`).join(","))],
    ["a space after the eighth", bodyOf(messages.map((m, i) => `${JSON.stringify(m)}${i === 7 ? " " : ""}`).join(","))],
    ["cut short inside the sixth", bodyOf(messages).subarray(0, START + 300)],
    ["a message dropped from the middle", bodyOf([...messages.slice(0, 3), ...messages.slice(4)])],
  ];
  for (const [name, buf] of cases)
    test(name, () => {
      const run = runAt(bodyOf(messages), START, remembered, remembered.length)!;
      expect(runLength(buf, run, START)).toBe(oneByOne(buf, remembered, START));
    });

  test("a run of one message", () => {
    const run = runAt(bodyOf(messages.slice(0, 1)), START, remembered.slice(0, 1), 1)!;
    for (const [, buf] of cases) expect(runLength(buf, run, START)).toBe(Math.min(1, oneByOne(buf, remembered, START)));
  });
});

describe("runAt", () => {
  test("given the run before, the same run as without it (its ends are the kept messages' here too)", () => {
    const before = runAt(bodyOf(messages), START, remembered, remembered.length)!;
    const grown = [...messages, { role: "user", content: "next" }, { role: "assistant", content: "more" }];
    const bodies = [bodyOf(messages), bodyOf(grown), bodyOf(changed(8)), bodyOf(changed(4)), bodyOf(messages.slice(0, 3)), bodyOf([...messages.slice(0, 3), { role: "user", content: "x" }])];
    for (const buf of bodies)
      for (const list of [remembered, grown.map(bytesOf)]) {
        const known = runLength(buf, before, START);
        const [a, b] = [runAt(buf, START, list, known, before), runAt(buf, START, list, known)];
        expect(a && { bytes: a.bytes.toString(), ends: a.ends }).toEqual(b && { bytes: b.bytes.toString(), ends: b.ends });
      }
  });

  test("the run ends before the first message not in the body as remembered", () => {
    const run = runAt(bodyOf(changed(5)), START, remembered, 0)!;
    expect(run.ends.length).toBe(5);
    expect(run.bytes.toString()).toBe(messages.slice(0, 5).map((m) => JSON.stringify(m)).join(","));
  });

  test("none when the first is not there", () => {
    expect(runAt(bodyOf(changed(0)), START, remembered, 0)).toBeUndefined();
  });

  test("the messages known to be there are not compared", () => {
    const sameLength = messages.map((m, j) => (j === 1 ? { ...m, content: m.content.replace("message", "messagE") } : m));
    expect(runAt(bodyOf(sameLength), START, remembered, 3)!.ends.length).toBe(9);
    expect(runAt(bodyOf(sameLength), START, remembered, 0)!.ends.length).toBe(1);
  });
});
