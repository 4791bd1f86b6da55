// The Node.js releases the npm package must run on. Node's own internals change between majors
// (Node 22's ServerResponse.cork() reordered a chunked answer's end ahead of its body; 20, 24 and
// 26 did not), so the tests that run our code under Node run it under each: this machine's `node`,
// and the newest release of every maintained major, fetched once from the npm registry (the
// node-<platform>-<arch> packages, the same binaries the `node` npm package installs) into
// node_modules/.cache. Only the npm registry is needed, as for `npm install`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./processes.ts";

/** The maintained majors (nodejs.org/en/about/previous-releases): 22 maintenance, 24 and 26 LTS. */
const MAJORS = [22, 24, 26];
const CACHE = join(ROOT, "node_modules", ".cache", "anyclaude-node-releases");

export interface NodeRelease {
  /** "node 22.23.5", for test names. */
  name: string;
  /** The executable: "node" for this machine's. */
  bin: string;
}

function versionOf(bin: string): string {
  const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${bin} --version failed: ${r.stderr}`);
  return r.stdout.trim().replace(/^v/, "");
}

/** The newest `major` for this platform, downloaded and unpacked on first use. */
function fetchMajor(major: number): string {
  const dir = join(CACHE, String(major));
  const bin = join(dir, "package", "bin", "node");
  if (existsSync(bin)) return bin;
  const spec = `node-${process.platform}-${process.arch}@${major}`;
  const work = join(CACHE, `.${major}-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const pack = spawnSync("npm", ["pack", spec, "--silent", "--pack-destination", work], { encoding: "utf8" });
  if (pack.status !== 0) throw new Error(`npm pack ${spec} failed (the tests run the bundle under Node ${major}): ${pack.stderr.trim()}`);
  const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tgz) throw new Error(`npm pack ${spec} left no tarball in ${work}`);
  const untar = spawnSync("tar", ["xzf", join(work, tgz), "-C", work]);
  if (untar.status !== 0) throw new Error(`unpacking ${tgz} failed: ${untar.stderr}`);
  rmSync(join(work, tgz));
  // Whole or not at all: another test process may be unpacking the same major.
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true });
  }
  return bin;
}

let releases: NodeRelease[] | undefined;

/** This machine's node first, then each maintained major it is not. */
export function nodeReleases(): NodeRelease[] {
  if (releases) return releases;
  const own = versionOf("node");
  const found: NodeRelease[] = [{ name: `node ${own}`, bin: "node" }];
  for (const major of MAJORS) {
    if (own.startsWith(`${major}.`)) continue;
    const bin = fetchMajor(major);
    found.push({ name: `node ${versionOf(bin)}`, bin });
  }
  releases = found;
  return found;
}
