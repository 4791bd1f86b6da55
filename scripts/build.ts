// `bun run build`: one executable per platform, plus the Node bundle (dist/node) that `npm pack` ships.
//   bun scripts/build.ts [--target linux-x64|darwin-arm64|node|all] [--outdir dist] [--no-bytecode]
// The darwin runtime is the one package-lock.json pins (from the npm cache; see darwin-runtime.ts),
// and the darwin executable is refused unless its Mach-O header and code signature check out.
import { $ } from "bun";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { STARTUP_JIT_SCALE } from "../src/runtime/jit-policy.ts";
import { recordBytecodeOrders } from "./release/bytecode-order.ts";
import { darwinRuntime, lockedRuntime } from "./release/darwin-runtime.ts";
import { verifyDarwinArm64 } from "./release/macho.ts";

const ROOT = resolve(import.meta.dir, "..");
const { values } = parseArgs({
  options: { target: { type: "string", default: "all" }, outdir: { type: "string", default: "dist" }, "no-bytecode": { type: "boolean", default: false } },
});
const outdir = resolve(ROOT, values.outdir!);
const entry = join(ROOT, "src/cli.ts");

// Bun inlines process.env.NODE_ENV from the building shell ("development" when unset, "test"
// under bun test, which turned consola into its plain "[error]" reporter): fixed, so every build
// ships the same code.
const nodeEnv = ["--define", `process.env.NODE_ENV="production"`];
// ESM (consola uses import.meta); no .env/bunfig from the user's cwd. Split into chunks inside the
// executable, as the Node bundle: a command loads (and maps the bytecode of) only its own modules, so
// `serve` does not page in the bytecode of the tokenizer's 2.7 MB of tables (idle RSS 54.6 -> 49.9 MB).
// Start-up code stays in the interpreter longer, from the executable's first instruction (src/runtime/jit-policy.ts).
const compileFlags = ["--compile", "--splitting", "--minify", "--format=esm", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig", `--compile-jit-policy=${STARTUP_JIT_SCALE}`, ...nodeEnv];
// Bytecode only where it is built for the machine that builds it: Bun has shipped cross-compiled
// bytecode that crashes on the target (oven-sh/bun #18416, #15052, #24144) and no Mac runs it here.
// Its gain on linux-x64 (`bun run bench:startup`, which also builds with --no-bytecode) is what
// darwin gives up.
const bytecodeFlags = values["no-bytecode"] ? [] : ["--bytecode"];

class BuildError extends Error {}

const targets: Record<string, () => Promise<string>> = {
  "linux-x64": async () => {
    const out = join(outdir, "anyclaude-linux-x64");
    const compile = (orderFlags: string[] = []) =>
      $`${process.execPath} build ${compileFlags} ${bytecodeFlags} ${orderFlags} --target=bun-linux-x64 ${entry} --outfile ${out}`.cwd(ROOT).quiet();
    await compile();
    if (bytecodeFlags.length && process.platform === "linux" && process.arch === "x64") {
      // Built again with its bytecode laid out by what a run of this build loaded (see bytecode-order.ts).
      // Only a linux-x64 host can run it; elsewhere the line printed below says what is left out.
      const dir = mkdtempSync(join(tmpdir(), "anyclaude-build-"));
      try {
        const orders = await recordBytecodeOrders(out, dir).catch((e: Error) => {
          throw new BuildError(`recording the bytecode order: ${e.message}`);
        });
        await compile([`--bytecode-order=${orders.join(",")}`]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } else if (bytecodeFlags.length) {
      console.log(`linux-x64     bytecode in build order: a ${process.platform}-${process.arch} host cannot run the executable to record a layout`);
    }
    return out;
  },
  "darwin-arm64": async () => {
    const out = join(outdir, "anyclaude-darwin-arm64");
    const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as unknown;
    const runtime = darwinRuntime(lockedRuntime(lock, Bun.version), { cacheDir: join(ROOT, "node_modules/.cache/anyclaude-runtimes") });
    await $`${process.execPath} build ${compileFlags} --target=bun-darwin-arm64 --compile-executable-path=${runtime} ${entry} --outfile ${out}`.cwd(ROOT).quiet();
    const { problems, pagesChecked } = verifyDarwinArm64(readFileSync(out));
    if (problems.length) {
      rmSync(out, { force: true });
      throw new BuildError(`refusing the darwin-arm64 executable:\n  ${problems.join("\n  ")}`);
    }
    console.log(`darwin-arm64  Mach-O arm64 executable, ad-hoc signature valid (${pagesChecked} page hashes recomputed)`);
    return out;
  },
  // A folder, not one file: the embedded MLX server's .py files are emitted beside the bundle. Split into
  // chunks so a command loads only the modules it uses: idle RSS of `serve` ~90 -> ~57 MB under Node.
  node: async () => {
    const dir = join(outdir, "node");
    // Chunks are named by hash: a fresh folder, so no chunk of an earlier build is shipped with this one.
    rmSync(dir, { recursive: true, force: true });
    await $`${process.execPath} build --target=node --format=esm --minify ${nodeEnv} --banner=${"#!/usr/bin/env node"} --splitting --entry-naming=anyclaude.mjs --chunk-naming=chunks/[name]-[hash].mjs --asset-naming=assets/[name]-[hash].[ext] ${entry} --outdir ${dir}`.cwd(ROOT).quiet();
    return join(dir, "anyclaude.mjs");
  },
};

try {
  mkdirSync(outdir, { recursive: true });
  const chosen = values.target === "all" ? Object.keys(targets) : [values.target!];
  for (const name of chosen) {
    const build = targets[name];
    if (!build) throw new BuildError(`unknown target ${name}; expected ${Object.keys(targets).join(", ")} or all`);
    const out = await build();
    console.log(`${name.padEnd(13)} ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
  }
} catch (e) {
  // Bun's shell errors carry the compiler's own output; show it rather than a stack.
  const err = e as Error & { stderr?: Buffer };
  console.error(`build failed: ${err instanceof BuildError ? err.message : (err.stderr?.toString().trim() || err.message)}`);
  process.exit(1);
}
