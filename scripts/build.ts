// `bun run build`: one executable per platform, plus the Node bundle (dist/node) that `npm pack` ships.
//   bun scripts/build.ts [--target linux-x64|darwin-arm64|node|all] [--outdir dist]
// The darwin runtime comes from the npm registry (npm pack), so this works offline after npm install.
import { $ } from "bun";
import { existsSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const ROOT = resolve(import.meta.dir, "..");
const { values } = parseArgs({ options: { target: { type: "string", default: "all" }, outdir: { type: "string", default: "dist" } } });
const outdir = resolve(ROOT, values.outdir!);
mkdirSync(outdir, { recursive: true });
const entry = join(ROOT, "src/cli.ts");
const bunVersion = Bun.version;

// Fast start-up (bytecode needs ESM: consola uses import.meta), no .env/bunfig from the user's cwd.
const compileFlags = ["--compile", "--minify", "--bytecode", "--format=esm", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig"];

async function darwinRuntime(): Promise<string> {
  const cache = join(ROOT, "node_modules/.cache/anyclaude-runtimes");
  const bin = join(cache, `bun-darwin-aarch64-${bunVersion}`, "package/bin/bun");
  if (existsSync(bin)) return bin;
  const dir = join(cache, `bun-darwin-aarch64-${bunVersion}`);
  mkdirSync(dir, { recursive: true });
  await $`npm pack --silent @oven/bun-darwin-aarch64@${bunVersion}`.cwd(dir).quiet();
  await $`tar xzf oven-bun-darwin-aarch64-${bunVersion}.tgz`.cwd(dir).quiet();
  return bin;
}

const targets: Record<string, () => Promise<string>> = {
  "linux-x64": async () => {
    const out = join(outdir, "anyclaude-linux-x64");
    await $`${process.execPath} build ${compileFlags} --target=bun-linux-x64 ${entry} --outfile ${out}`.cwd(ROOT).quiet();
    return out;
  },
  "darwin-arm64": async () => {
    const out = join(outdir, "anyclaude-darwin-arm64");
    const runtime = await darwinRuntime();
    await $`${process.execPath} build ${compileFlags} --target=bun-darwin-arm64 --compile-executable-path=${runtime} ${entry} --outfile ${out}`.cwd(ROOT).quiet();
    return out;
  },
  // A folder, not one file: the embedded MLX server's .py files are emitted beside the bundle.
  node: async () => {
    const dir = join(outdir, "node");
    await $`${process.execPath} build --target=node --format=esm --minify --banner=${"#!/usr/bin/env node"} --entry-naming=anyclaude.mjs --asset-naming=assets/[name]-[hash].[ext] ${entry} --outdir ${dir}`.cwd(ROOT).quiet();
    return join(dir, "anyclaude.mjs");
  },
};

const chosen = values.target === "all" ? Object.keys(targets) : [values.target!];
for (const name of chosen) {
  const build = targets[name];
  if (!build) throw new Error(`unknown target ${name}; expected ${Object.keys(targets).join(", ")} or all`);
  const out = await build();
  console.log(`${name.padEnd(13)} ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
}
