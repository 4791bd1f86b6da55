// The Bun runtime that becomes the darwin-arm64 executable, taken from what package-lock.json pins:
// npm pack from the npm cache (the network only when the cache lacks it), checked against the
// lockfile's sha512 integrity, extracted into a temp folder and renamed into place, so a
// half-extracted copy is never reused.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

export const DARWIN_RUNTIME = "@oven/bun-darwin-aarch64";

export interface LockedPackage {
  name: string;
  version: string;
  integrity: string;
}

/** The runtime package the lockfile pins; it must be the version of the Bun that compiles. */
export function lockedRuntime(lock: unknown, bunVersion: string, name = DARWIN_RUNTIME): LockedPackage {
  const entry = (lock as { packages?: Record<string, { version?: string; integrity?: string }> }).packages?.[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) throw new Error(`package-lock.json pins no ${name}; run npm install (bun's optional dependency) and commit the lockfile`);
  if (entry.version !== bunVersion) throw new Error(`package-lock.json pins ${name}@${entry.version} but the compiler is bun ${bunVersion}; run npm install`);
  if (!entry.integrity.startsWith("sha512-")) throw new Error(`${name}: lockfile integrity is not sha512 (${entry.integrity.slice(0, 20)}…)`);
  return { name, version: entry.version, integrity: entry.integrity };
}

export function integrityOf(bytes: Uint8Array): string {
  return `sha512-${createHash("sha512").update(bytes).digest("base64")}`;
}

export interface RuntimeOptions {
  cacheDir: string;
  /** --offline instead of --prefer-offline: never touch the network (tests). */
  offline?: boolean;
  npm?: string;
}

/** Path of the darwin `bun` executable for pkg; fetches, checks and extracts it on first use. */
export function darwinRuntime(pkg: LockedPackage, opts: RuntimeOptions): string {
  const key = createHash("sha256").update(pkg.integrity).digest("hex").slice(0, 12);
  const final = join(opts.cacheDir, `${pkg.name.replace(/[@/]/g, "_")}-${pkg.version}-${key}`);
  const bin = join(final, "bin", "bun");
  if (existsSync(bin)) return bin;
  mkdirSync(opts.cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(opts.cacheDir, ".tmp-"));
  try {
    const npm = spawnSync(opts.npm ?? "npm", ["pack", opts.offline ? "--offline" : "--prefer-offline", "--pack-destination", tmp, `${pkg.name}@${pkg.version}`], { encoding: "utf8" });
    if (npm.error) throw new Error(`cannot run npm: ${npm.error.message}`);
    if (npm.status !== 0) throw new Error(`npm pack ${pkg.name}@${pkg.version} failed:\n${(npm.stderr || npm.stdout).trim() || `npm ended by ${npm.signal}`}`);
    const tgz = readdirSync(tmp).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${pkg.name}@${pkg.version} wrote no tarball`);
    const got = integrityOf(readFileSync(join(tmp, tgz)));
    if (got !== pkg.integrity) throw new Error(`${pkg.name}@${pkg.version} does not match package-lock.json: integrity ${got} instead of ${pkg.integrity}`);
    const tar = spawnSync("tar", ["xzf", join(tmp, tgz), "-C", tmp], { encoding: "utf8" });
    if (tar.status !== 0) throw new Error(`cannot extract ${tgz}: ${(tar.stderr || String(tar.error)).trim()}`);
    if (!existsSync(join(tmp, "package", "bin", "bun"))) throw new Error(`${tgz} has no package/bin/bun`);
    try {
      renameSync(join(tmp, "package"), final);
    } catch (e) {
      if (!existsSync(bin)) throw e; // else: a concurrent build put the same runtime there first
    }
    return bin;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
