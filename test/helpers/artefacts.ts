// The shipped artefacts, built once per source state and shared by every test file (and test run):
// .bench/artefacts/<hash of what goes into them>/{anyclaude-linux-x64,node/anyclaude.mjs}.
// A build goes to a temp folder first and is renamed into place, so a half-built cache never exists.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BUN, ROOT } from "./processes.ts";

export interface Artefacts {
  dir: string;
  binary: string;
  nodeBundle: string;
}

/** Each artefact as the command that runs it. */
export const runners = (a: Artefacts): [string, string[]][] => [
  ["linux-x64 binary", [a.binary]],
  ["Node bundle", ["node", a.nodeBundle]],
];

const INPUTS = ["src", "mlx/anyclaude_mlx", "mlx/requirements.txt", "package.json", "package-lock.json", "scripts/build.ts", "scripts/release"];

function files(path: string): string[] {
  const full = join(ROOT, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, encoding: "utf8" })
    .filter((f) => !f.includes("__pycache__") && statSync(join(full, f)).isFile())
    .map((f) => join(path, f));
}

export function sourceHash(): string {
  const h = createHash("sha256").update(Bun.version);
  for (const f of INPUTS.flatMap(files).sort()) h.update(f).update("\0").update(readFileSync(join(ROOT, f)));
  return h.digest("hex").slice(0, 16);
}

async function build(target: string, outdir: string): Promise<void> {
  const p = Bun.spawn([BUN, join(ROOT, "scripts/build.ts"), "--target", target, "--outdir", outdir], { stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text()]);
  if ((await p.exited) !== 0) throw new Error(`build --target ${target} failed:\n${out}${err}`);
}

let pending: Promise<Artefacts> | undefined;

export function artefacts(): Promise<Artefacts> {
  pending ??= buildOnce();
  return pending;
}

async function buildOnce(): Promise<Artefacts> {
  const cache = join(ROOT, ".bench", "artefacts");
  const dir = join(cache, sourceHash());
  const result = { dir, binary: join(dir, "anyclaude-linux-x64"), nodeBundle: join(dir, "node", "anyclaude.mjs") };
  if (existsSync(result.binary) && existsSync(result.nodeBundle)) return result;
  mkdirSync(cache, { recursive: true });
  const tmp = join(cache, `.tmp-${process.pid}-${Date.now()}`);
  await build("linux-x64", tmp);
  await build("node", tmp);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true }); // another process finished the same build first
  }
  // Older states are of no use; keep the cache from growing with every edit.
  for (const old of readdirSync(cache)) if (join(cache, old) !== dir && !old.startsWith(".tmp-")) rmSync(join(cache, old), { recursive: true, force: true });
  if (!existsSync(result.binary)) throw new Error(`no binary in ${relative(ROOT, dir)}`);
  return result;
}
