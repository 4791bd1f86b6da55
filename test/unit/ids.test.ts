import { describe, expect, test } from "bun:test";
import { randomId, randomIds } from "../../src/translate/ids.ts";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** An id as minted from these 24 bytes, one character per byte. */
const idOf = (kind: string, bytes: number[]) => `${kind}_${bytes.map((b) => BASE62[b % 62]).join("")}`;

/** A generator that fills each block with a running count, so that every byte drawn is known. */
function countingFill() {
  let next = 0;
  const calls: number[] = [];
  const fill = (block: Uint8Array) => {
    calls.push(block.length);
    for (let i = 0; i < block.length; i++) block[i] = next++ % 256;
  };
  return { fill, calls };
}

describe("random ids", () => {
  test.each([
    ["one id per block", 1, 3],
    ["two ids per block", 2, 5],
    ["four ids per block", 4, 9],
  ])("%s: each id from its own 24 bytes, in order, a new block only when one is used up", (_, perBlock, count) => {
    const { fill, calls } = countingFill();
    const ids = randomIds(fill, perBlock);
    const kinds = ["req", "msg", "toolu"] as const;
    const minted = Array.from({ length: count }, (_, n) => ids(kinds[n % 3]!));
    const expected = minted.map((_, n) => idOf(kinds[n % 3]!, Array.from({ length: 24 }, (_, i) => (n * 24 + i) % 256)));
    expect(minted).toEqual(expected);
    expect(calls).toEqual(Array(Math.ceil(count / perBlock)).fill(24 * perBlock));
  });

  test("the shipped factory: the documented format, and no id twice over several blocks", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = randomId(i % 2 ? "msg" : "toolu");
      expect(id).toMatch(/^(msg|toolu)_[0-9A-Za-z]{24}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });
});
