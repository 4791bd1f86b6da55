// The body nesting guard: a linear scan that counts only brackets outside strings, so a tool input
// nested 100k deep is a 400 up front instead of a stack overflow (500) in JSON.stringify later.
import { describe, expect, test } from "bun:test";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody } from "../../src/server/validate.ts";

const deep = (n: number, open = "[", close = "]") => open.repeat(n) + close.repeat(n);
const cases: [string, string, number, boolean][] = [
  ["flat object", '{"a":1}', 1, false],
  ["depth 2 at limit 2", '{"a":[1]}', 2, false],
  ["depth 3 over limit 2", '{"a":[{}]}', 2, true],
  ["brackets inside a string do not count", `{"a":"${"[".repeat(50)}"}`, 2, false],
  ["an escaped quote does not end the string", `{"a":"\\"${"{".repeat(50)}"}`, 2, false],
  ["an escaped backslash before a quote ends it", `{"a":"\\\\",${'"b":'.repeat(1)}[[[]]]}`, 3, true],
  ["siblings do not add up", `[${Array(100).fill("[[]]").join(",")}]`, 3, false],
  ["100k deep arrays", deep(100_000), MAX_JSON_DEPTH, true],
  ["100k deep objects", `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`, MAX_JSON_DEPTH, true],
];

describe("jsonDepthExceeds", () => {
  for (const [name, text, limit, want] of cases) test(name, () => expect(jsonDepthExceeds(text, limit)).toBe(want));
});

test("parseJsonBody: at the limit parses, one level more is a 400 naming the limit", () => {
  expect(parseJsonBody(`{"a":${deep(MAX_JSON_DEPTH - 1)}}`)).toBeDefined();
  expect(() => parseJsonBody(`{"a":${deep(MAX_JSON_DEPTH)}}`)).toThrow(`request body nests deeper than ${MAX_JSON_DEPTH} levels`);
});
