// `anyclaude trace replay` and `trace compare`: measure a recorded request on backends, and put
// the measurements side by side.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import { createBackend } from "../backends/create.ts";
import { bar } from "../trace/analyze.ts";
import { type ComparisonRow, compareResults } from "../trace/compare.ts";
import { type ReplayResult, replayOnce } from "../trace/replay.ts";
import { renderReport } from "../trace/report-html.ts";
import { STOP_SIGNALS, signalExitCode } from "../runtime/signals.ts";
import { loadCommandConfig, startCommand } from "./choose-mode.ts";
import { CliError, EXIT_USAGE, fileError, writeError } from "./errors.ts";
import { backendArgs, configArgs, jsonArg } from "./options.ts";
import { printLine } from "./output.ts";
import { loadRequest, targetArg } from "./trace.ts";

const positiveNumber = (raw: unknown, flag: string): number => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag}: expected a positive number, found "${String(raw)}"`, EXIT_USAGE);
  return n;
};

export const replay = defineCommand({
  meta: { name: "replay", description: "Send a recorded request to a backend N times and measure it" },
  args: {
    ...backendArgs,
    target: targetArg,
    runs: { type: "string", description: "How many times to send it", default: "3" },
    timeout: { type: "string", description: "Seconds one run may take before it counts as failed", default: "600" },
    out: { type: "string", description: "Results folder (default ~/.anyclaude/replays)" },
    ...jsonArg,
  },
  async run({ args }) {
    const runs = Math.floor(positiveNumber(args.runs, "--runs"));
    const timeoutMs = positiveNumber(args.timeout, "--timeout") * 1000;
    const { config, logger, mode } = await startCommand(args);
    const loaded = loadRequest(String(args.target), config.traces.dir);
    const settings = config.backends[mode];
    const backend = createBackend(settings, logger, config.idleTimeoutMs);
    const model = settings.model ?? (await backend.describe(AbortSignal.timeout(5000)).catch(() => null))?.models[0]?.id ?? "default";
    // Before the runs, which may take minutes: a results folder we cannot make fails at once.
    const outDir = resolve(String(args.out ?? join(dirname(config.traces.dir), "replays")));
    try {
      mkdirSync(outDir, { recursive: true, mode: 0o700 });
    } catch (e) {
      throw writeError(outDir, e, "create results folder");
    }
    const result: ReplayResult = { version: 1, mode, model, baseUrl: settings.baseUrl, trace: loaded.path, startedAt: new Date().toISOString(), runs: [] };
    // Ctrl-C (or a SIGTERM/SIGHUP) ends the run in flight; the runs already measured are still saved.
    const stop = new AbortController();
    let interruptedBy: number | undefined;
    const handlers = STOP_SIGNALS.map((signal) => {
      const handler = () => {
        interruptedBy ??= signalExitCode(signal);
        stop.abort();
      };
      return [signal, handler] as const;
    });
    for (const [signal, handler] of handlers) process.once(signal, handler);
    for (let i = 1; i <= runs && interruptedBy === undefined; i++) {
      logger.info(`run ${i}/${runs}: sending to ${mode} ${model} at ${settings.baseUrl}`);
      const started = Date.now();
      // A slow prefill is silent: say we are still waiting rather than nothing.
      const ticker = setInterval(() => logger.info(`run ${i}/${runs}: ${Math.round((Date.now() - started) / 1000)} s, still waiting (gives up after ${timeoutMs / 1000} s)`), 10_000);
      const r = await replayOnce(backend, loaded.request, model, i, timeoutMs, stop.signal).finally(() => clearInterval(ticker));
      if (interruptedBy !== undefined) break; // the cut run is not a measurement
      result.runs.push(r);
      if (r.error) logger.error(`${bar(i / runs, 20)} ${i}/${runs}  ✗ ${r.error}`);
      else logger.info(`${bar(i / runs, 20)} ${i}/${runs}  prompt ${r.promptMs.toFixed(0)} ms, generation ${r.generationMs.toFixed(0)} ms, ${r.tokensPerSecond.toFixed(1)} tok/s, cached ${r.cachedTokens}`);
    }
    for (const [signal, handler] of handlers) process.off(signal, handler);
    if (interruptedBy !== undefined && !result.runs.length) {
      logger.warn("interrupted before a run completed; nothing to save");
      return interruptedBy;
    }
    const file = join(outDir, `${mode}-${model.replace(/[^A-Za-z0-9._-]/g, "_")}-${Date.now()}.json`);
    try {
      writeFileSync(file, JSON.stringify(result), { mode: 0o600 });
    } catch (e) {
      throw writeError(file, e, "write results file");
    }
    if (interruptedBy !== undefined) {
      logger.warn(`interrupted after ${result.runs.length} of ${runs} runs; results so far: ${file}`);
      return interruptedBy;
    }
    if (args.json) printLine(JSON.stringify({ file, ...result }, null, 2));
    const failed = result.runs.filter((r) => r.error).length;
    if (failed) {
      logger.error(`${failed} of ${runs} runs failed; results (failures included): ${file}`);
      return 1;
    }
    logger.success(`results: ${file}`);
  },
});

function readResults(dir: string): ReplayResult[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw fileError(dir, e, "results folder");
  }
  const results: ReplayResult[] = [];
  for (const name of names.filter((n) => n.endsWith(".json"))) {
    try {
      const r = JSON.parse(readFileSync(join(dir, name), "utf8")) as ReplayResult;
      if (r?.version === 1 && Array.isArray(r.runs)) results.push(r);
    } catch {} // not a result file: another tool's JSON in the same folder
  }
  if (!results.length) throw new CliError(`no replay results in ${dir}; make some with \`anyclaude trace replay latest --mode <mode> --out ${dir}\``);
  return results;
}

function printTable(rows: ComparisonRow[]): void {
  const f = (s: { median: number; min: number; max: number }, d = 0) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}-${s.max.toFixed(d)})`.padStart(20);
  const cell = (r: ComparisonRow, s: { median: number; min: number; max: number }, d = 0) => (r.failed === r.runs ? "-".padStart(20) : f(s, d));
  printLine(`${"backend/model".padEnd(36)} ${"runs".padStart(4)} ${"failed".padStart(6)} ${"prompt ms".padStart(20)} ${"generation ms".padStart(20)} ${"total ms".padStart(20)} ${"tok/s".padStart(20)}`);
  for (const r of rows)
    printLine(`${r.label.slice(0, 36).padEnd(36)} ${String(r.runs).padStart(4)} ${String(r.failed).padStart(6)} ${cell(r, r.promptMs)} ${cell(r, r.generationMs)} ${cell(r, r.totalMs)} ${cell(r, r.tokensPerSecond, 1)}`);
  for (const r of rows) for (const e of r.errors) printLine(`✗ ${r.label}: ${e.runs} run${e.runs === 1 ? "" : "s"} failed: ${e.message}`);
}

export const compare = defineCommand({
  meta: { name: "compare", description: "Compare replay results across models and backends (table, --html report)" },
  args: {
    dir: { type: "positional", description: "The results folder of `trace replay` (default ~/.anyclaude/replays)", required: false },
    html: { type: "string", description: "Also write an HTML report with charts to this file" },
    ...jsonArg,
    ...configArgs,
  },
  async run({ args }) {
    const { config, logger } = loadCommandConfig(args);
    const dir = args.dir ? resolve(String(args.dir)) : join(dirname(config.traces.dir), "replays");
    // A folder of `anyclaude test-model` results gets the model page instead (src/trace/model-page.ts).
    if ((await import("../testmodel/compare.ts")).compareModelTests(dir, args, printLine, logger)) return;
    const rows = compareResults(readResults(dir));
    if (args.html) {
      const out = resolve(String(args.html));
      try {
        writeFileSync(out, renderReport(rows));
      } catch (e) {
        throw writeError(out, e, "write report file");
      }
      logger.success(`report: ${out}`);
    }
    if (args.json) printLine(JSON.stringify(rows, null, 2));
    else printTable(rows);
  },
});
