// The darwin runtime: the lockfile's pin, npm's cache, the sha512 check, the atomic extraction.
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DARWIN_RUNTIME, darwinRuntime, integrityOf, lockedRuntime } from "../../scripts/release/darwin-runtime.ts";
import { ROOT, tempDir as newTempDir } from "../helpers/processes.ts";

const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
const pinned = lockedRuntime(lock, Bun.version);
// Each cache folder may hold an 88 MB runtime: removed after the tests.
const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = newTempDir(prefix);
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("lockedRuntime", () => {
  test("reads the version and sha512 that package-lock.json pins, which is bun's own version", () => {
    expect(pinned).toEqual({ name: DARWIN_RUNTIME, version: Bun.version, integrity: lock.packages[`node_modules/${DARWIN_RUNTIME}`].integrity });
    expect(pinned.integrity).toStartWith("sha512-");
  });
  const cases: [string, unknown, string][] = [
    ["no entry", { packages: {} }, "pins no @oven/bun-darwin-aarch64"],
    ["another version than the compiler", { packages: { [`node_modules/${DARWIN_RUNTIME}`]: { version: "0.0.1", integrity: "sha512-x" } } }, "but the compiler is bun"],
    ["a sha1 integrity", { packages: { [`node_modules/${DARWIN_RUNTIME}`]: { version: Bun.version, integrity: "sha1-abc" } } }, "not sha512"],
  ];
  for (const [name, l, message] of cases) test(`refuses ${name}`, () => expect(() => lockedRuntime(l, Bun.version)).toThrow(message));
});

describe("darwinRuntime", () => {
  test("the pinned package comes from the npm cache, checks out, is reused without npm; a half-extracted leftover is ignored", () => {
    const cacheDir = tempDir("rt");
    mkdirSync(join(cacheDir, ".tmp-crashed", "package", "bin"), { recursive: true });
    writeFileSync(join(cacheDir, ".tmp-crashed", "package", "bin", "bun"), "partial");
    const bin = darwinRuntime(pinned, { cacheDir });
    expect(readFileSync(bin).readUInt32LE(0)).toBe(0xfeedfacf); // a 64-bit Mach-O: the darwin bun
    expect(readFileSync(bin).byteLength).toBeGreaterThan(1e7);
    expect(darwinRuntime(pinned, { cacheDir, npm: "/nonexistent/npm" })).toBe(bin);
    expect(readdirSync(cacheDir).filter((f) => f.startsWith(".tmp-"))).toEqual([".tmp-crashed"]);
  }, 60_000);

  test("a tarball that does not match the lockfile's integrity is refused and nothing is kept", () => {
    const cacheDir = tempDir("rt");
    const wrong = { ...pinned, integrity: integrityOf(new TextEncoder().encode("something else")) };
    expect(() => darwinRuntime(wrong, { cacheDir })).toThrow("does not match package-lock.json");
    expect(readdirSync(cacheDir)).toEqual([]);
  }, 60_000);

  test("when npm cannot get the package, npm's own error is shown", () => {
    const missing = { ...pinned, version: "0.0.0-not-in-any-cache" };
    let message = "";
    try {
      darwinRuntime(missing, { cacheDir: tempDir("rt"), offline: true });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(`npm pack ${DARWIN_RUNTIME}@0.0.0-not-in-any-cache failed:`);
    expect(message).toMatch(/npm (error|ERR!) code E[A-Z]+/); // ETARGET, or ENOTCACHED without a registry
    expect(existsSync(missing.version)).toBe(false);
  }, 60_000);
});
