// `bun run release` as the maintainer runs it: archives that the system tar and sha256sum accept,
// a darwin executable whose Mach-O header and ad-hoc signature verify (and a flipped byte that is
// refused), a reproducible darwin build, and a Homebrew tap that passes Homebrew's audit rules.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { brewInstallLine, releaseUrl } from "../../scripts/release/formula.ts";
import { verifyDarwinArm64 } from "../../scripts/release/macho.ts";
import { auditFormula, onPlatform, parseFormula } from "../helpers/homebrew-audit.ts";
import { BUN, ROOT, tempDir } from "../helpers/processes.ts";

// Processes and builds on a shared 2-core machine: bun's 5 s default is too tight (bunfig has no test timeout).
setDefaultTimeout(60_000);

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string; repository: { url: string } };
const REPO = "someone/anyclaude";
const out = tempDir("release");
const unpacked = tempDir("unpacked");
let darwin: Buffer;

beforeAll(() => {
  const r = spawnSync(BUN, [join(ROOT, "scripts/release/release.ts"), "--repo", REPO, "--outdir", out], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`release failed:\n${r.stdout}${r.stderr}`);
  for (const platform of ["darwin-arm64", "linux-x64"]) {
    const dir = join(unpacked, platform);
    spawnSync("mkdir", ["-p", dir]);
    const x = spawnSync("tar", ["xzf", join(out, `anyclaude-${platform}.tar.gz`), "-C", dir], { encoding: "utf8" });
    if (x.status !== 0) throw new Error(`tar: ${x.stderr}`);
  }
  darwin = readFileSync(join(unpacked, "darwin-arm64", "anyclaude"));
}, 300_000);
// Hundreds of MB of archives and binaries: not left behind in /tmp.
afterAll(() => {
  for (const dir of [out, unpacked]) rmSync(dir, { recursive: true, force: true });
});

describe("release assets", () => {
  test("exactly the two archives, SHA256SUMS and the tap", () => {
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", "anyclaude-darwin-arm64.tar.gz", "anyclaude-linux-x64.tar.gz", "homebrew-anyclaude"]);
  });

  test("SHA256SUMS checks out with sha256sum -c, as the README's shasum -a 256 -c does", () => {
    const r = spawnSync("sha256sum", ["-c", "SHA256SUMS"], { cwd: out, encoding: "utf8" });
    expect(r.stdout).toBe("anyclaude-darwin-arm64.tar.gz: OK\nanyclaude-linux-x64.tar.gz: OK\n");
    expect(r.status).toBe(0);
  });

  test("each archive holds an executable anyclaude and the LICENSE; the linux one runs", () => {
    for (const platform of ["darwin-arm64", "linux-x64"]) {
      expect(readdirSync(join(unpacked, platform)).sort()).toEqual(["LICENSE", "anyclaude"]);
      expect(statSync(join(unpacked, platform, "anyclaude")).mode & 0o777).toBe(0o755);
      expect(readFileSync(join(unpacked, platform, "LICENSE"), "utf8")).toStartWith("MIT License");
    }
    const v = spawnSync(join(unpacked, "linux-x64", "anyclaude"), ["--version"], { encoding: "utf8" });
    expect(v.stdout.trim()).toBe(pkg.version);
  });
});

describe("the darwin-arm64 executable", () => {
  test("is an arm64 Mach-O executable with the app embedded and a valid ad-hoc signature", () => {
    const report = verifyDarwinArm64(darwin);
    expect(report.problems).toEqual([]);
    expect(report.pagesChecked).toBeGreaterThan(10_000);
    expect(report.segments.map((s) => s.name)).toContain("__BUN");
  }, 30_000);

  // Each defect in a copy of the real binary, and the problem that must refuse it.
  const flip = (at: (b: Buffer) => number) => (b: Buffer) => {
    const c = Buffer.from(b);
    const i = at(c);
    c[i] = c[i]! ^ 0x01;
    return c;
  };
  const bunSegment = (b: Buffer) => verifyDarwinArm64(b).segments.find((s) => s.name === "__BUN")!;
  const defects: [string, (b: Buffer) => Buffer, string][] = [
    ["a byte of the embedded app", flip((b) => bunSegment(b).fileoff + 1000), "code page hash(es) do not match"],
    ["a byte of the first page", flip(() => 4095), "code page hash(es) do not match, first at byte 0"],
    ["the Mach-O magic", flip(() => 0), "not a 64-bit Mach-O file"],
    ["the CPU type", flip(() => 4), "is not arm64"],
    ["the last byte (the last page's hash in the signature)", flip((b) => b.length - 1), "code page hash(es) do not match"],
    ["one byte cut off the end", (b) => b.subarray(0, b.length - 1), "does not end at the end of the file"],
    ["a byte appended", (b) => Buffer.concat([b, Buffer.from([0])]), "does not end at the end of the file"],
  ];
  for (const [name, defect, problem] of defects)
    test(`refuses a copy with ${name} changed`, () => {
      expect(verifyDarwinArm64(defect(darwin)).problems.join("\n")).toContain(problem);
    }, 30_000);

  test("a hash slot of the CodeDirectory changed is refused", () => {
    const c = Buffer.from(darwin);
    // LC_CODE_SIGNATURE's dataoff → SuperBlob → CodeDirectory → hashOffset: flip the first page's hash.
    const sigOff = verifyDataoff(c);
    const cd = sigOff + c.readUInt32BE(sigOff + 16);
    const slot = cd + c.readUInt32BE(cd + 16);
    c[slot] = c[slot]! ^ 0xff;
    expect(verifyDarwinArm64(c).problems.join("\n")).toContain("first at byte 0");
  }, 30_000);

  test("is byte-for-byte reproducible: a second build is identical", () => {
    const dir = tempDir("darwin2");
    const b = spawnSync(BUN, [join(ROOT, "scripts/build.ts"), "--target", "darwin-arm64", "--outdir", dir], { encoding: "utf8" });
    expect(b.status).toBe(0);
    expect(b.stdout).toContain("ad-hoc signature valid");
    const same = readFileSync(join(dir, "anyclaude-darwin-arm64")).equals(darwin);
    rmSync(dir, { recursive: true, force: true });
    expect(same).toBe(true);
  }, 120_000);
});

/** dataoff of LC_CODE_SIGNATURE, found the way dyld does: walking the load commands. */
function verifyDataoff(b: Buffer): number {
  for (let i = 0, off = 32; i < b.readUInt32LE(16); i++, off += b.readUInt32LE(off + 4)) if (b.readUInt32LE(off) === 0x1d) return b.readUInt32LE(off + 8);
  throw new Error("no LC_CODE_SIGNATURE");
}

describe("the README's install steps", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const steps = /## Install[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1]!.replace(/^ {2}/gm, "");

  /** Runs the README's commands against a stand-in for GitHub's release downloads on 127.0.0.1. */
  async function install(tamper = false) {
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => {
        const file = /\/releases\/download\/v[^/]+\/([^/]+)$/.exec(new URL(req.url).pathname)?.[1];
        if (!file || !readdirSync(out).includes(file)) return new Response("not found", { status: 404 });
        const body = readFileSync(join(out, file));
        if (tamper && file.endsWith(".tar.gz")) body[body.length - 100] = body[body.length - 100]! ^ 0xff;
        return new Response(body);
      },
    });
    const home = tempDir("readmehome");
    spawnSync("mkdir", ["-p", join(home, ".local", "bin")]);
    const script = steps.replaceAll("https://github.com", server.url.origin).replace("p=darwin-arm64", "p=linux-x64");
    // Not spawnSync: the server above answers on this same event loop.
    const sh = Bun.spawn(["sh", "-euc", script], { cwd: tempDir("readmecwd"), env: { PATH: "/usr/bin:/bin", HOME: home }, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr] = await Promise.all([new Response(sh.stdout).text(), new Response(sh.stderr).text()]);
    const status = await sh.exited;
    await server.stop(true);
    return { status, stdout, stderr, bin: join(home, ".local", "bin", "anyclaude") };
  }

  test("download, check the sum, unpack, install: the installed binary runs", async () => {
    expect(steps).toContain(`v=${pkg.version} `);
    const r = await install();
    expect(r.stdout).toContain("anyclaude-linux-x64.tar.gz: OK");
    expect(r.status).toBe(0);
    expect(spawnSync(r.bin, ["--version"], { encoding: "utf8" }).stdout.trim()).toBe(pkg.version);
  }, 60_000);

  test("a download that does not match SHA256SUMS stops the steps before anything is installed", async () => {
    const r = await install(true);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("FAILED");
    expect(readdirSync(join(r.bin, "..")).length).toBe(0);
  }, 60_000);
});

describe("the Homebrew tap", () => {
  const tap = join(out, "homebrew-anyclaude");

  test("Formula/anyclaude.rb passes the audit rules and ruby -c", () => {
    expect(auditFormula(parseFormula(join(tap, "Formula", "anyclaude.rb")), "anyclaude")).toEqual([]);
  });

  test("each platform's url is its release asset, with the sha256 from SHA256SUMS", () => {
    const sums = Object.fromEntries(readFileSync(join(out, "SHA256SUMS"), "utf8").trim().split("\n").map((l) => l.split(/\s+/).reverse() as [string, string]));
    const f = parseFormula(join(tap, "Formula", "anyclaude.rb"));
    for (const [os, arch, file] of [["macos", "arm64", "anyclaude-darwin-arm64.tar.gz"], ["linux", "x86_64", "anyclaude-linux-x64.tar.gz"]] as const) {
      const seen = onPlatform(f, { os, arch });
      expect(seen.url).toBe(releaseUrl(REPO, pkg.version, file));
      expect(seen.sha256).toBe(sums[file]);
    }
  });

  test("the tap README and the project README show the real brew install line", () => {
    expect(readFileSync(join(tap, "README.md"), "utf8")).toContain(brewInstallLine(REPO));
    const defaultRepo = /github\.com\/([^/]+\/[^/.]+)/.exec(pkg.repository.url)![1]!;
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain(brewInstallLine(defaultRepo));
  });
});
