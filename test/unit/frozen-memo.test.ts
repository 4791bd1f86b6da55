// The one memo of work on frozen request values (tool lists, system prompts, their JSON and index):
// remembered per frozen value and variant, never for a value that could still change.
import { expect, test } from "bun:test";
import { FrozenMemo } from "../../src/translate/frozen-memo.ts";

const cases: [string, () => unknown, boolean][] = [
  ["a frozen list", () => Object.freeze([{ name: "Bash" }]), true],
  ["a frozen object", () => Object.freeze({ a: 1 }), true],
  ["a list that could change", () => [{ name: "Bash" }], false],
  ["a sealed (not frozen) object", () => Object.seal({ a: 1 }), false],
  ["a string", () => "system prompt", false],
  ["null", () => null, false],
  ["undefined", () => undefined, false],
];

for (const [name, make, remembered] of cases)
  test(`${name}: ${remembered ? "computed once per variant" : "computed every time"}`, () => {
    const memo = new FrozenMemo<number>();
    const value = make();
    let calls = 0;
    const compute = () => ++calls;
    const first = memo.get(value, "text", compute);
    const again = memo.get(value, "text", compute);
    const other = memo.get(value, "parts", compute);
    expect(first).toBe(1);
    expect(again).toBe(remembered ? 1 : 2);
    expect(other).toBe(remembered ? 2 : 3);
    expect(memo.get(value, "parts", compute)).toBe(remembered ? 2 : 4);
  });

test("equal but distinct frozen values are remembered apart (identity, not content)", () => {
  const memo = new FrozenMemo<string>();
  const a = Object.freeze({ v: 1 });
  const b = Object.freeze({ v: 1 });
  expect(memo.get(a, undefined, () => "a")).toBe("a");
  expect(memo.get(b, undefined, () => "b")).toBe("b");
  expect(memo.get(a, undefined, () => "x")).toBe("a");
});

test("a remembered undefined result is not computed again", () => {
  const memo = new FrozenMemo<string | undefined>();
  const value = Object.freeze({});
  let calls = 0;
  memo.get(value, 0, () => (calls++, undefined));
  memo.get(value, 0, () => (calls++, undefined));
  expect(calls).toBe(1);
});
