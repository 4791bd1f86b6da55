// Our code under real Node (Bun's node:http is an emulation, and the npm package runs on Node):
// the given sources built for Node into a fresh directory, a script run there beside them, and
// what it prints on stdout, read as JSON.
import { expect } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./processes.ts";

export interface UnderNode {
  /** Names the temporary directory. */
  name: string;
  /** Source files to build, as absolute paths. */
  entrypoints?: string[];
  /** TypeScript written as entry.ts in the directory and built with them. */
  entry?: string;
  /** Where built paths start (as Bun.build's `root`): the script imports them relative to it. */
  root?: string;
  /** An ES module run with `node`, from the directory. */
  script: string;
  args?: string[];
  /** The node executable (node-releases.ts); this machine's `node` by default. */
  node?: string;
}

export async function runUnderNode<T = unknown>(run: UnderNode): Promise<T> {
  const dir = tempDir(run.name);
  const entrypoints = [...(run.entrypoints ?? [])];
  if (run.entry !== undefined) {
    writeFileSync(join(dir, "entry.ts"), run.entry);
    entrypoints.push(join(dir, "entry.ts"));
  }
  const built = await Bun.build({ entrypoints, outdir: dir, target: "node", format: "esm", ...(run.root ? { root: run.root } : {}) });
  expect(built.success).toBe(true);
  writeFileSync(join(dir, "script.mjs"), run.script);
  const p = Bun.spawn([run.node ?? "node", join(dir, "script.mjs"), ...(run.args ?? [])], { stdout: "pipe", stderr: "inherit" });
  expect(await p.exited).toBe(0);
  return JSON.parse(await new Response(p.stdout).text()) as T;
}
