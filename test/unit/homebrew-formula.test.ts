// The Homebrew formula against Homebrew's own audit rules (test/helpers/homebrew-audit.ts names each
// cop), Ruby's syntax check, and what brew sees on each platform.
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brewInstallLine, FORMULA_DESC, parseRepo, releaseUrl, renderFormula, tapReadme } from "../../scripts/release/formula.ts";
import { auditFormula, onPlatform, parseFormula } from "../helpers/homebrew-audit.ts";
import { ROOT, tempDir } from "../helpers/processes.ts";

// Processes and builds on a shared 2-core machine: bun's 5 s default is too tight (bunfig has no test timeout).
setDefaultTimeout(60_000);

const REPO = "someone/anyclaude";
const values = {
  homepage: `https://github.com/${REPO}`,
  darwinArm64: { url: releaseUrl(REPO, "1.2.3", "anyclaude-darwin-arm64.tar.gz"), sha256: "a".repeat(64) },
  linuxX64: { url: releaseUrl(REPO, "1.2.3", "anyclaude-linux-x64.tar.gz"), sha256: "b".repeat(64) },
};
const TEMPLATE = readFileSync(join(ROOT, "scripts/release/anyclaude.rb.template"), "utf8");

function audit(source: string): string[] {
  const file = join(tempDir("formula"), "anyclaude.rb");
  writeFileSync(file, source);
  return auditFormula(parseFormula(file), "anyclaude");
}
const parsed = (source: string) => {
  const file = join(tempDir("formula"), "anyclaude.rb");
  writeFileSync(file, source);
  return parseFormula(file);
};

describe("the rendered formula", () => {
  const formula = renderFormula(values);

  test("passes the audit rules and Ruby's syntax check", () => {
    expect(audit(formula)).toEqual([]);
  });

  test("every platform brew evaluates has a url and sha256; only the two we ship can install", () => {
    const f = parsed(formula);
    expect(onPlatform(f, { os: "macos", arch: "arm64" })).toEqual({ url: values.darwinArm64.url, sha256: "a".repeat(64), archRequired: ["arm64"] });
    expect(onPlatform(f, { os: "linux", arch: "x86_64" })).toEqual({ url: values.linuxX64.url, sha256: "b".repeat(64), archRequired: ["x86_64"] });
    // Intel Macs and arm64 Linux still load the formula (a url exists) and are refused by depends_on.
    const intelMac = onPlatform(f, { os: "macos", arch: "x86_64" });
    expect(intelMac.url).toBeString();
    expect(intelMac.archRequired).toEqual(["arm64"]);
    const armLinux = onPlatform(f, { os: "linux", arch: "arm64" });
    expect(armLinux.url).toBeString();
    expect(armLinux.archRequired).toEqual(["x86_64"]);
  });

  test("the desc is Homebrew-sized, and the tap README shows the real brew line", () => {
    expect(FORMULA_DESC.length).toBeLessThanOrEqual(80);
    expect(brewInstallLine(REPO)).toBe("brew install someone/anyclaude/anyclaude");
    expect(tapReadme(REPO)).toContain("brew install someone/anyclaude/anyclaude");
  });

  test("bad values are refused before they reach Ruby", () => {
    expect(() => renderFormula({ ...values, linuxX64: { ...values.linuxX64, sha256: "abc" } })).toThrow("not a sha256");
    expect(() => renderFormula({ ...values, homepage: 'https://x"; system "rm' })).toThrow("would break the Ruby string");
    for (const bad of ["someone", "a/b/c", "-x/y", "x/..", ""]) expect(() => parseRepo(bad)).toThrow("owner/name");
  });
});

// Each rule fails on what it guards: a variant of the real template with one defect.
const render = (template: string) => renderFormula(values, template);
const variants: [string, string, string][] = [
  ["a desc over 80 characters", TEMPLATE.replace('desc "{{desc}}"', `desc "${"Long ".repeat(17)}x"`), "FormulaAudit/Desc: desc is too long"],
  ["a desc with an article", TEMPLATE.replace('desc "{{desc}}"', 'desc "A proxy for Claude Code"'), "FormulaAudit/Desc: desc shouldn't start with an article"],
  ["a desc starting with the name", TEMPLATE.replace('desc "{{desc}}"', 'desc "Anyclaude runs Claude Code anywhere"'), "FormulaAudit/Desc: desc shouldn't start with the formula name"],
  ["a redundant version", TEMPLATE.replace('  sha256 "{{darwinSha256}}"\n', '  version "1.2.3"\n  sha256 "{{darwinSha256}}"\n'), "ResourceAuditor#audit_version: version 1.2.3 is redundant"],
  ["url directly in on_linux", TEMPLATE.replace("    on_intel do\n", "    url \"https://x.invalid/a.tar.gz\"\n    on_intel do\n"), "FormulaAudit/ComponentsOrder: `on_linux` cannot include `url`"],
  ["license before url", TEMPLATE.replace('  license "MIT"\n', "").replace('  url "{{darwinUrl}}"', '  license "MIT"\n  url "{{darwinUrl}}"'), "FormulaAudit/ComponentsOrder: `url`"],
  ["an uppercase sha256", TEMPLATE.replace('sha256 "{{linuxSha256}}"', `sha256 "${"B".repeat(64)}"`), "FormulaAudit/ChecksumCase"],
  ["a livecheck url equal to the stable url", TEMPLATE.replace("url :stable", 'url "{{darwinUrl}}"'), "FormulaAudit/LivecheckUrlSymbol"],
  ["a livecheck strategy without a url", TEMPLATE.replace("    url :stable\n", ""), "FormulaAudit/LivecheckUrlProvided"],
  ["no test block", TEMPLATE.replace(/ {2}test do[\s\S]*?\n {2}end\n/, ""), "FormulaAuditStrict/TestPresent"],
  ["a template comment", TEMPLATE.replace("class Anyclaude", "# Documentation: https://docs.brew.sh/Formula-Cookbook\nclass Anyclaude"), "FormulaAudit/Comments"],
  ["no license", TEMPLATE.replace('  license "MIT"\n', ""), "FormulaAudit (audit_license)"],
];
describe("each rule catches its defect", () => {
  for (const [name, template, problem] of variants) test(name, () => expect(audit(render(template)).join("\n")).toContain(problem));

  test("a Ruby syntax error is reported by ruby -c", () => {
    expect(() => audit(render(TEMPLATE.replace("  def install", "  def install(")))).toThrow("ruby -c");
  });

  test("the formula this replaces (url only in on_macos/on_arm) has no URL on Linux", () => {
    const old = render(TEMPLATE.replace('  url "{{darwinUrl}}"\n  sha256 "{{darwinSha256}}"\n', "").replace("  on_macos do\n", '  on_macos do\n    on_arm do\n      url "{{darwinUrl}}"\n      sha256 "{{darwinSha256}}"\n    end\n'));
    expect(onPlatform(parsed(old), { os: "linux", arch: "arm64" }).url).toBeUndefined();
  });
});
