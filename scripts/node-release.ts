// A Node.js release to run the npm package under: the newest of a major for this platform, from
// the npm registry (the node-<platform>-<arch> packages, the same binaries the `node` npm package
// installs), fetched once into node_modules/.cache. Only the npm registry is needed, as for
// `npm install`. The tests (test/helpers/node-releases.ts) and `bun run bench` use it.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

const CACHE = join(import.meta.dir, "..", "node_modules", ".cache", "anyclaude-node-releases");

/** The node executable of the newest `major`, downloaded and unpacked on first use. */
export function nodeOfMajor(major: number): string {
  const dir = join(CACHE, String(major));
  const bin = join(dir, "package", "bin", "node");
  if (existsSync(bin)) return bin;
  const spec = `node-${process.platform}-${process.arch}@${major}`;
  const work = join(CACHE, `.${major}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pack = spawnSync("npm", ["pack", spec, "--silent", "--pack-destination", work], { encoding: "utf8" });
  if (pack.status !== 0) throw new Error(`npm pack ${spec} failed: ${pack.stderr.trim()}`);
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack ${spec} left no tarball in ${work}`);
  const untar = spawnSync("tar", ["xzf", join(work, tgz), "-C", work]);
  if (untar.status !== 0) throw new Error(`unpacking ${tgz} failed: ${untar.stderr}`);
  rmSync(join(work, tgz));
  // Whole or not at all: another process may be unpacking the same major.
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

/** "22.23.5" */
export function nodeVersion(bin: string): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin} --version failed: ${r.stderr}`);
  return r.stdout.trim().replace(/^v/, "");
}
