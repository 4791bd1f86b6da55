// The token counter is linear, yields to other work, is bounded by its budget, and counts normal
// text exactly as gpt-tokenizer does.
import { describe, expect, test } from "bun:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { localCounter, MAX_RUN, segmentedCounter, segments } from "../../src/context/text-counter.ts";
import { loadFixture } from "../helpers/fixtures.ts";

const plain = (t: string) => countTokens(t, { disallowedSpecial: new Set() });
/** Longest run of one character class in a segment (same classes as the splitter). */
const longestRun = (s: string) => Math.max(0, ...[...s.matchAll(/(\s)\1*|\d+|[A-Za-z\u0080-\uffff]+|[^\sA-Za-z\d\u0080-\uffff]+/g)].map((m) => m[0].length));

describe("segments", () => {
  const cases: [string, string][] = [
    ["empty", ""],
    ["short", "hello world"],
    ["a run of x", "x".repeat(1000)],
    ["a wall of spaces", " ".repeat(1000)],
    ["a rule of =", "=".repeat(1000)],
    ["emoji (surrogate pairs)", "😀".repeat(500)],
    ["CJK without spaces", "漢字テスト".repeat(200)],
    ["prose", "The quick brown fox jumps over the lazy dog. ".repeat(400)],
  ];
  for (const [name, text] of cases) {
    test(`${name}: joined back it is the text, and no run is longer than ${MAX_RUN}`, () => {
      const parts = [...segments(text)];
      expect(parts.join("")).toBe(text);
      for (const p of parts) expect(longestRun(p)).toBeLessThanOrEqual(MAX_RUN + 1); // +1: a surrogate pair stays whole
      // No segment starts with the second half of a surrogate pair.
      for (const p of parts) expect(/^[\udc00-\udfff]/.test(p)).toBe(false);
    });
  }
});

describe("localCounter", () => {
  test("normal text counts exactly as gpt-tokenizer: the captured Claude Code system prompts and tools", async () => {
    const body = loadFixture("interactive-hello").body as unknown as { system: { text: string }[]; tools: unknown[] };
    const texts = [...body.system.map((b) => b.text), ...body.tools.map((t) => JSON.stringify(t))];
    expect(await localCounter().count(texts)).toEqual({ tokens: texts.map(plain), by: "o200k_base" });
  });

  test("a 120k-character run of one letter: the cuts keep the count o200k gives (8 x a token)", async () => {
    const [n] = (await localCounter().count(["x".repeat(120_000)])).tokens;
    // o200k spells runs of x in tokens of 8; cuts every 32 characters keep that.
    expect(n).toBe(15_000);
  });

  test("other requests run while a long text is counted (the counter yields)", async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const counting = localCounter().count(["abc123+/".repeat(60_000)]).then(() => ticks);
    const ticksWhenDone = await counting;
    clearInterval(timer);
    expect(ticksWhenDone).toBeGreaterThan(0);
  });

  test("past the budget the rest is estimated from the ratio counted so far", async () => {
    const counter = segmentedCounter("one per char", (s) => s.length, 1000);
    // 1000 counted exactly (ratio 1), then 4000 estimated at that ratio.
    expect((await counter.count(["a".repeat(600), "b".repeat(4400)])).tokens).toEqual([600, 4400]);
    const half = segmentedCounter("one per two chars", (s) => Math.ceil(s.length / 2), 64);
    expect((await half.count(["z".repeat(64), "q".repeat(1000)])).tokens).toEqual([32, 500]);
  });

  test("the budget bounds the work: nothing past it reaches the segment counter", async () => {
    let seen = 0;
    const counter = segmentedCounter("spy", (s) => ((seen += s.length), 1), 10_000);
    await counter.count(["y".repeat(5_000_000)]);
    expect(seen).toBeLessThan(10_000 + 64);
  });
});
