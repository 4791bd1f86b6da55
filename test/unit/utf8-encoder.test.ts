import { expect, test } from "bun:test";
import { Utf8Encoder } from "../../src/runtime/utf8-encoder.ts";
import { loadFixture } from "../helpers/fixtures.ts";

const claudeCodeBody = JSON.stringify(loadFixture("print-mode-hello").body);

const TEXTS: [string, string][] = [
  ["empty", ""],
  ["ASCII", "hello"],
  ["two-byte", "é"],
  ["three-byte", "\u20ac\uffff"],
  ["a surrogate pair", "\ud83d\ude00"],
  ["a lone high surrogate", "\ud83d"],
  ["a lone low surrogate inside", "x\udc00y"],
  ["two high surrogates", "\ud83d\ud83d"],
  ["boundaries", "\u0000\u007f\u0080\u07ff\u0800\ud7ff\ue000"],
  ["a BOM", "\ufeffbom"],
  ["Claude Code's body", claudeCodeBody],
  ["past what the scratch keeps", "é".repeat(400_000)],
];

test.each(TEXTS)("%s: the bytes of Buffer.from", (_, text) => {
  expect(new Utf8Encoder().encode(text).equals(Buffer.from(text))).toBe(true);
});

test("one encoder, texts of every size in turn: each result is its own bytes", () => {
  const encoder = new Utf8Encoder(64 * 1024);
  const results = TEXTS.map(([, text]) => encoder.encode(text));
  TEXTS.forEach(([, text], i) => expect(results[i]!.equals(Buffer.from(text))).toBe(true));
});
