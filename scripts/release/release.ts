// `bun scripts/release/release.ts [--url-base URL]`: binaries, SHA256SUMS and the Homebrew
// formula for a tap, all under dist/release/.
import { $ } from "bun";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { renderFormula } from "./formula.ts";

const ROOT = resolve(import.meta.dir, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
const { values } = parseArgs({
  options: {
    "url-base": { type: "string", default: `https://github.com/anyclaude/anyclaude/releases/download/v${pkg.version}` },
    homepage: { type: "string", default: "https://github.com/anyclaude/anyclaude" },
  },
});
const out = join(ROOT, "dist/release");
mkdirSync(join(out, "Formula"), { recursive: true });
await $`${process.execPath} ${join(ROOT, "scripts/build.ts")} --target all --outdir ${join(ROOT, "dist")}`;

const sums: string[] = [];
const sha: Record<string, string> = {};
for (const name of ["anyclaude-darwin-arm64", "anyclaude-linux-x64"]) {
  copyFileSync(join(ROOT, "dist", name), join(out, name));
  sha[name] = createHash("sha256").update(readFileSync(join(out, name))).digest("hex");
  sums.push(`${sha[name]}  ${name}`);
}
writeFileSync(join(out, "SHA256SUMS"), `${sums.join("\n")}\n`);
const formula = renderFormula(readFileSync(join(import.meta.dir, "anyclaude.rb.template"), "utf8"), {
  version: pkg.version,
  url: `${values["url-base"]}/anyclaude-darwin-arm64`,
  sha256: sha["anyclaude-darwin-arm64"]!,
  homepage: values.homepage!,
});
writeFileSync(join(out, "Formula/anyclaude.rb"), formula);
console.log(`release ${pkg.version} in ${out}:\n${sums.join("\n")}\nFormula/anyclaude.rb`);
