import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderFormula } from "../../scripts/release/formula.ts";

const template = readFileSync(join(import.meta.dir, "../../scripts/release/anyclaude.rb.template"), "utf8");
const values = { version: "1.2.3", url: "https://example.invalid/anyclaude-darwin-arm64", sha256: "a".repeat(64), homepage: "https://example.invalid" };

test("the Homebrew formula carries version, URL and sha256, and no placeholder is left", () => {
  const f = renderFormula(template, values);
  expect(f).toContain('version "1.2.3"');
  expect(f).toContain('url "https://example.invalid/anyclaude-darwin-arm64"');
  expect(f).toContain(`sha256 "${"a".repeat(64)}"`);
  expect(f).not.toContain("{{");
});
test("a malformed sha256 is refused", () => {
  expect(() => renderFormula(template, { ...values, sha256: "abc" })).toThrow("not a sha256");
});
