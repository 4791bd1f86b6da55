// The Node.js releases the npm package must run on. Node's own internals change between majors
// (Node 22's ServerResponse.cork() reordered a chunked answer's end ahead of its body; 20, 24 and
// 26 did not), so the tests that run our code under Node run it under each: this machine's `node`,
// and the newest release of every maintained major (scripts/node-release.ts: from the npm registry).
import { nodeOfMajor, nodeVersion } from "../../scripts/node-release.ts";

/** The maintained majors (nodejs.org/en/about/previous-releases): 22 and 24 maintenance, 26 active LTS. */
const MAJORS = [22, 24, 26];

export interface NodeRelease {
  /** "node 22.23.5", for test names. */
  name: string;
  /** The executable: "node" for this machine's. */
  bin: string;
}

let releases: NodeRelease[] | undefined;

/** This machine's node first, then each maintained major it is not. */
export function nodeReleases(): NodeRelease[] {
  if (releases) return releases;
  const own = nodeVersion("node");
  const found: NodeRelease[] = [{ name: `node ${own}`, bin: "node" }];
  for (const major of MAJORS) {
    if (own.startsWith(`${major}.`)) continue;
    const bin = nodeOfMajor(major);
    found.push({ name: `node ${nodeVersion(bin)}`, bin });
  }
  releases = found;
  return found;
}
