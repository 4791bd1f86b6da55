// `bun run bench:startup`: binary size, `--version` start time and launch-to-ready time of the
// compiled binary, side by side with `bun src/cli.ts`. Builds the binary when it is missing.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "../..");
const BINARY = join(ROOT, "dist/anyclaude-linux-x64");
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
if (!existsSync(BINARY)) {
  const b = Bun.spawn([process.execPath, join(ROOT, "scripts/build.ts"), "--target", "linux-x64"], { stdout: "inherit", stderr: "inherit" });
  if ((await b.exited) !== 0) throw new Error("build failed");
}

const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ data: [{ id: "m", max_model_len: 32768 }] }) });
const upstreamUrl = `http://127.0.0.1:${upstream.port}/v1`;
const variants: [string, string[]][] = [
  ["compiled binary", [BINARY]],
  ["bun src/cli.ts", [process.execPath, join(ROOT, "src/cli.ts")]],
];

async function versionMs(cmd: string[]): Promise<number> {
  const t = performance.now();
  const p = Bun.spawn([...cmd, "--version"], { stdout: "ignore", stderr: "ignore" });
  await p.exited;
  return performance.now() - t;
}

/** Spawn `serve --port N` and poll /health: the time until the proxy answers. */
async function readyMs(cmd: string[], port: number): Promise<number> {
  const t = performance.now();
  const p = Bun.spawn([...cmd, "serve", "--port", String(port), "--mode", "openai", "--base-url", upstreamUrl, "--model", "m"], { stdout: "ignore", stderr: "ignore" });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.ok) break;
    } catch {}
    await Bun.sleep(1);
  }
  const ms = performance.now() - t;
  p.kill();
  await p.exited;
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: string[] = [];
let port = 47_000 + (process.pid % 1000);
for (const [name, cmd] of variants) {
  const v: number[] = [];
  const r: number[] = [];
  await versionMs(cmd);
  for (let i = 0; i < RUNS; i++) v.push(await versionMs(cmd));
  for (let i = 0; i < RUNS; i++) r.push(await readyMs(cmd, port++));
  rows.push(`  ${name.padEnd(18)} ${median(v).toFixed(1).padStart(10)} ${median(r).toFixed(1).padStart(14)}`);
}
upstream.stop(true);

console.log(`anyclaude start-up — median of ${RUNS} runs each`);
console.log(`                      --version ms   launch→ready ms`);
for (const row of rows) console.log(row);
for (const name of ["anyclaude-linux-x64", "anyclaude-darwin-arm64"]) {
  const f = join(ROOT, "dist", name);
  if (existsSync(f)) console.log(`  ${name}: ${(statSync(f).size / 1e6).toFixed(1)} MB`);
}
console.log("targets: ready in under 100 ms, binary under 120 MB");
