// `bun run bench:analyze`: `trace analyze` of a 50 KB captured Claude Code request, tokenizer load
// included: in-process (cold import + count) and as whole commands (binary vs bun src/cli.ts).
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { localCounter } from "../../src/context/text-counter.ts";
import { analyzeRequest } from "../../src/trace/analyze.ts";
import { below, QUICK, verdict } from "./targets.ts";

const ROOT = join(import.meta.dir, "../..");
const FIXTURE = join(ROOT, "test/fixtures/claude-code/interactive-hello.json");
const RUNS = QUICK ? 2 : Number(process.env.BENCH_RUNS ?? 10);

// In-process, cold: this process has not loaded the tokenizer yet.
const t0 = performance.now();
const counter = localCounter();
await counter.count(["load"]);
const loaded = performance.now();
const req = v.parse(MessagesRequestSchema, JSON.parse(readFileSync(FIXTURE, "utf8")).body);
const b = await analyzeRequest(req, counter);
const done = performance.now();

const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)]!;
function whole(cmd: string[]): number {
  const xs: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const s = performance.now();
    const r = Bun.spawnSync([...cmd, "trace", "analyze", FIXTURE, "--json"], { stdout: "ignore" });
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed`);
    if (i) xs.push(performance.now() - s); // first run warms the page cache
  }
  return median(xs);
}

console.log(`trace analyze of ${(statSync(FIXTURE).size / 1024).toFixed(0)} KB (${b.total} tokens)`);
console.log(`  in-process: tokenizer load ${(loaded - t0).toFixed(1)} ms + analysis ${(done - loaded).toFixed(1)} ms = ${(done - t0).toFixed(1)} ms`);
const binary = join(ROOT, "dist/anyclaude-linux-x64");
const target = below(100, "ms");
console.log(verdict("in-process, tokenizer load included", done - t0, target));
if (existsSync(binary)) console.log(verdict(`whole command, compiled binary (median of ${RUNS})`, whole([binary]), target));
console.log(verdict(`whole command, bun src/cli.ts (median of ${RUNS})`, whole([process.execPath, join(ROOT, "src/cli.ts")]), target));
