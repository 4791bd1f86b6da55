// `bun run bench:startup`: size (raw and gzipped), `--version` time and launch-to-ready time of each
// shipped artefact, built fresh into .bench/startup/: the linux-x64 binary with and without bytecode
// (without is what the darwin binary ships, as its cross-compiled bytecode cannot be run here), the
// Node bundle on node, and `bun src/cli.ts`. Sizes of the darwin binary too; it cannot run here.
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { below, QUICK, verdict } from "./targets.ts";

const ROOT = join(import.meta.dir, "../..");
const OUT = join(ROOT, ".bench", "startup");
const RUNS = QUICK ? 2 : Number(process.env.BENCH_RUNS ?? 20);

async function build(outdir: string, args: string[]) {
  mkdirSync(outdir, { recursive: true });
  const b = Bun.spawn([process.execPath, join(ROOT, "scripts/build.ts"), "--outdir", outdir, ...args], { stdout: "ignore", stderr: "inherit" });
  if ((await b.exited) !== 0) throw new Error(`build ${args.join(" ")} failed`);
}
// A quick run builds and measures the linux-x64 binary only (the darwin build fetches its runtime).
await build(join(OUT, "bytecode"), ["--target", QUICK ? "linux-x64" : "all"]);
if (!QUICK) await build(join(OUT, "plain"), ["--target", "linux-x64", "--no-bytecode"]);

const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ data: [{ id: "m", max_model_len: 32768 }] }) });
const upstreamUrl = `http://127.0.0.1:${upstream.port}/v1`;
const variants: [string, string[]][] = [
  ["linux-x64 binary, bytecode", [join(OUT, "bytecode", "anyclaude-linux-x64")]],
  ...(QUICK
    ? []
    : ([
        ["linux-x64 binary, no bytecode", [join(OUT, "plain", "anyclaude-linux-x64")]],
        ["Node bundle on node", ["node", join(OUT, "bytecode", "node", "anyclaude.mjs")]],
      ] as [string, string[]][])),
  ["bun src/cli.ts", [process.execPath, join(ROOT, "src/cli.ts")]],
];

async function versionMs(cmd: string[]): Promise<number> {
  const t = performance.now();
  const p = Bun.spawn([...cmd, "--version"], { stdout: "ignore", stderr: "ignore" });
  await p.exited;
  return performance.now() - t;
}

// Below every system's ephemeral range (Linux 32768-60999, macOS 49152-65535): a busy machine's
// outgoing connections cannot be holding the port a run asks for.
let nextPort = 20_000 + (process.pid % 10_000);

/** The launch-to-ready time on a fixed port, on the next one if a listener already holds it. */
async function readyMs(cmd: string[]): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const r = await readyMsOn(cmd, nextPort++);
    if (typeof r === "number") return r;
    if (attempt === 5) throw new Error(r.failure);
  }
}

/** Spawn `serve --port N` and poll /health: the time until the proxy answers. */
async function readyMsOn(cmd: string[], port: number): Promise<number | { failure: string }> {
  const t = performance.now();
  const p = Bun.spawn([...cmd, "serve", "--port", String(port), "--mode", "openai", "--base-url", upstreamUrl, "--model", "m"], { stdout: "ignore", stderr: "pipe" });
  // A proxy that cannot start (a broken build) ends the bench with its own words, not a spin.
  for (const deadline = t + 30_000; ; ) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok) break;
    } catch {}
    if (p.exitCode !== null || performance.now() > deadline) {
      p.kill();
      const said = (await new Response(p.stderr).text()).trim();
      const failure = `${cmd.join(" ")} serve --port ${port} did not become ready: ${said || `exit ${await p.exited}`}`;
      if (said.includes("already in use")) return { failure };
      throw new Error(failure);
    }
    await Bun.sleep(1);
  }
  const ms = performance.now() - t;
  p.kill();
  await p.exited;
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const verdicts: string[] = [];
console.log(`anyclaude start-up — median of ${RUNS} runs each`);
console.log(`  ${"".padEnd(30)} ${"--version ms".padStart(12)} ${"launch→ready ms".padStart(16)}`);
for (const [name, cmd] of variants) {
  const v: number[] = [];
  const r: number[] = [];
  await versionMs(cmd);
  for (let i = 0; i < RUNS; i++) v.push(await versionMs(cmd));
  for (let i = 0; i < RUNS; i++) r.push(await readyMs(cmd));
  console.log(`  ${name.padEnd(30)} ${median(v).toFixed(1).padStart(12)} ${median(r).toFixed(1).padStart(16)}`);
  verdicts.push(verdict(`${name} launch→ready`, median(r), below(100, "ms")));
}
upstream.stop(true);

const files = (path: string): string[] => (statSync(path).isDirectory() ? readdirSync(path).flatMap((f) => files(join(path, f))) : [path]);
const sizes = (paths: string[]) => {
  const raw = paths.reduce((n, p) => n + statSync(p).size, 0);
  const gz = paths.reduce((n, p) => n + gzipSync(readFileSync(p)).byteLength, 0);
  return `${(raw / 1e6).toFixed(1).padStart(6)} MB raw ${(gz / 1e6).toFixed(1).padStart(6)} MB gzipped`;
};
// Only what this run built: a quick run must not report a stale artefact of an earlier one.
const artefacts: [string, string, boolean][] = [
  ["anyclaude-linux-x64 (bytecode)", join(OUT, "bytecode", "anyclaude-linux-x64"), true],
  ["anyclaude-linux-x64 (no bytecode)", join(OUT, "plain", "anyclaude-linux-x64"), !QUICK],
  ["anyclaude-darwin-arm64", join(OUT, "bytecode", "anyclaude-darwin-arm64"), !QUICK],
  ["Node bundle (dist/node)", join(OUT, "bytecode", "node"), !QUICK],
];
for (const [name, path, built] of artefacts) {
  if (!built) {
    console.log(`  ${name.padEnd(34)} not built by a quick run`);
    continue;
  }
  console.log(`  ${name.padEnd(34)} ${sizes(files(path))}`);
  if (name.startsWith("anyclaude-")) verdicts.push(verdict(`${name} size`, statSync(path).size / 1e6, below(120, "MB")));
}
for (const line of verdicts) console.log(line);
