// Utf8Stream against TextDecoder's streaming mode, read for read: valid characters of every length,
// a BOM at the start and later, and the invalid sequences the WHATWG decoder replaces.
import { describe, expect, test } from "bun:test";
import { Utf8Stream, wholeLength } from "../../src/backends/utf8-stream.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...parts: (string | number[])[]) => {
  const out: number[] = [];
  for (const p of parts) out.push(...(typeof p === "string" ? enc(p) : p));
  return new Uint8Array(out);
};

/** What each read and the end give, by a decoder. */
function run(reads: Uint8Array[], make: () => { decode(b: Uint8Array): string; end(): string }): string[] {
  const d = make();
  return [...reads.map((r) => d.decode(r)), d.end()];
}
const streaming = () => {
  const d = new TextDecoder();
  return { decode: (b: Uint8Array) => d.decode(b, { stream: true }), end: () => d.decode() };
};
const fast = () => new Utf8Stream();

const CASES: [string, Uint8Array][] = [
  ["ASCII", bytes('data: {"t":"hi"}\n\n')],
  ["2, 3 and 4-byte characters", bytes("é € 🎉 ü日本語𝄞")],
  ["a BOM at the start, and one later", bytes([0xef, 0xbb, 0xbf], "a", [0xef, 0xbb, 0xbf], "b")],
  ["two BOMs at the start", bytes([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], "x")],
  ["invalid leads C0, C1, F5, FF and a stray continuation", bytes("a", [0xc0, 0xaf, 0xc1, 0x80, 0xf5, 0x80, 0xff, 0x80], "b")],
  ["E0 then a byte below A0 (overlong)", bytes("a", [0xe0, 0x80, 0x80], "b")],
  ["ED then A0 (a surrogate)", bytes("a", [0xed, 0xa0, 0x80], "b")],
  ["F0 then 8F (overlong), F4 then 90 (past U+10FFFF)", bytes([0xf0, 0x8f, 0xbf, 0xbf, 0xf4, 0x90, 0x80, 0x80], "z")],
  ["a lead followed by ASCII", bytes("a", [0xe2, 0x82], "b", [0xf0, 0x9f], "c", [0xc3], "d")],
  ["a character cut at the very end", bytes("ok", [0xf0, 0x9f, 0x8e])],
  ["a lone lead at the end", bytes("ok", [0xe2])],
  ["SSE frames with multibyte text", bytes('data: {"c":"café 🎉"}\n\ndata: {"c":"日本"}\n\n')],
];

describe("Utf8Stream gives what streaming TextDecoder gives, read for read", () => {
  for (const [name, all] of CASES) {
    test(name, () => {
      expect(run([all], fast)).toEqual(run([all], streaming));
      for (let i = 0; i <= all.length; i++) {
        const two = [all.subarray(0, i), all.subarray(i)];
        expect(run(two, fast)).toEqual(run(two, streaming));
        for (let j = i; j <= Math.min(all.length, i + 5); j++) {
          const three = [all.subarray(0, i), all.subarray(i, j), all.subarray(j)];
          expect(run(three, fast)).toEqual(run(three, streaming));
        }
      }
      const single = [...all].map((b) => new Uint8Array([b]));
      expect(run(single, fast)).toEqual(run(single, streaming));
    });
  }
  test("every two-byte sequence, and every lead with every second byte cut before its end", () => {
    for (let a = 0x80; a <= 0xff; a++)
      for (let b = 0; b <= 0xff; b += 1) {
        const reads = [new Uint8Array([0x61, a, b]), new Uint8Array([0x80, 0x62])];
        expect(run(reads, fast)).toEqual(run(reads, streaming));
        const cut = [new Uint8Array([0x61, a, b])];
        expect(run(cut, fast)).toEqual(run(cut, streaming));
      }
  });
});

test("random bytes in random reads (a seeded fuzz)", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pool = [0x61, 0x0a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8e, 0x89, 0xef, 0xbb, 0xbf, 0x80, 0xbf, 0xc0, 0xe0, 0xed, 0xa0, 0xf4, 0x90, 0xff];
  for (let t = 0; t < 20_000; t++) {
    const all = Uint8Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => (rnd() < 0.3 ? Math.floor(rnd() * 256) : pool[Math.floor(rnd() * pool.length)]!));
    const reads: Uint8Array[] = [];
    for (let i = 0; i < all.length; ) {
      const k = Math.floor(rnd() * 4);
      reads.push(all.subarray(i, i + k));
      i += k;
    }
    expect(run(reads, fast)).toEqual(run(reads, streaming));
  }
});

describe("wholeLength", () => {
  const T: [number[], number][] = [
    [[], 0],
    [[0x61], 1],
    [[0x61, 0xc3], 1],
    [[0x61, 0xe2, 0x82], 1],
    [[0x61, 0xf0, 0x9f, 0x8e], 1],
    [[0x61, 0xf0, 0x9f, 0x8e, 0x89], 5],
    [[0x61, 0xe0, 0x80], 3], // overlong: already wrong, decoded now
    [[0x61, 0xc0], 2], // never a lead
    [[0x80, 0x80, 0x80], 3],
  ];
  for (const [input, want] of T) test(`[${input.map((b) => b.toString(16)).join(" ")}] -> ${want}`, () => expect(wholeLength(new Uint8Array(input))).toBe(want));
});
