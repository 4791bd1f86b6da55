// `bun run release [--repo owner/name] [--outdir dist/release]`: everything a release publishes.
//   anyclaude-darwin-arm64.tar.gz, anyclaude-linux-x64.tar.gz  (each: anyclaude + LICENSE)
//   SHA256SUMS                                                  (for `shasum -a 256 -c`)
//   homebrew-anyclaude/{Formula/anyclaude.rb,README.md}         (the tap: push it as owner/homebrew-anyclaude)
// The repository (default: package.json "repository") decides every URL in the formula.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { brewInstallLine, parseRepo, releaseUrl, renderFormula, tapReadme } from "./formula.ts";
import { verifyDarwinArm64 } from "./macho.ts";
import { tarGz } from "./tarball.ts";

const ROOT = resolve(import.meta.dir, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; repository?: { url?: string } };
const repoFromPackage = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository?.url ?? "")?.[1];
const { values } = parseArgs({
  options: {
    repo: { type: "string", default: repoFromPackage },
    outdir: { type: "string", default: join(ROOT, "dist/release") },
  },
});

class ReleaseError extends Error {}
function fail(message: string): never {
  throw new ReleaseError(message);
}

const build = mkdtempSync(join(tmpdir(), "anyclaude-release-"));
try {
  const repo = values.repo ?? fail("no --repo owner/name, and package.json has no GitHub repository");
  parseRepo(repo);
  const out = resolve(values.outdir!);
  const b = spawnSync(process.execPath, [join(ROOT, "scripts/build.ts"), "--target", "all", "--outdir", build], { stdio: "inherit" });
  if (b.status !== 0) fail("the build failed (above)");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(join(out, "homebrew-anyclaude", "Formula"), { recursive: true });

  const license = readFileSync(join(ROOT, "LICENSE"));
  const assets: Record<string, { file: string; sha256: string }> = {};
  for (const platform of ["darwin-arm64", "linux-x64"]) {
    const binary = readFileSync(join(build, `anyclaude-${platform}`));
    // The build checked it already; this is the exact copy that goes into the archive.
    if (platform === "darwin-arm64") {
      const { problems } = verifyDarwinArm64(binary);
      if (problems.length) fail(`darwin-arm64: ${problems.join("; ")}`);
    }
    const file = `anyclaude-${platform}.tar.gz`;
    const archive = tarGz([
      { name: "anyclaude", mode: 0o755, body: binary },
      { name: "LICENSE", mode: 0o644, body: license },
    ]);
    writeFileSync(join(out, file), archive);
    assets[platform] = { file, sha256: createHash("sha256").update(archive).digest("hex") };
  }
  const sums = Object.values(assets).map((a) => `${a.sha256}  ${a.file}`);
  writeFileSync(join(out, "SHA256SUMS"), `${sums.join("\n")}\n`);

  const asset = (platform: string) => ({ url: releaseUrl(repo, pkg.version, assets[platform]!.file), sha256: assets[platform]!.sha256 });
  const formula = renderFormula({ homepage: `https://github.com/${repo}`, darwinArm64: asset("darwin-arm64"), linuxX64: asset("linux-x64") });
  writeFileSync(join(out, "homebrew-anyclaude", "Formula", "anyclaude.rb"), formula);
  writeFileSync(join(out, "homebrew-anyclaude", "README.md"), tapReadme(repo));
  console.log(`release ${pkg.version} of ${repo} in ${out}:\n${sums.join("\n")}\nhomebrew-anyclaude/ (tap: ${brewInstallLine(repo)})`);
} catch (e) {
  // Expected failures (bad --repo, a refused binary) are one line; anything else keeps its stack.
  if (!(e instanceof ReleaseError) && !(e as Error).message.includes("owner/name")) throw e;
  console.error(`release failed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(build, { recursive: true, force: true });
}
