// `anyclaude trace list | analyze | replay | compare`.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import * as v from "valibot";
import { createBackend } from "../backends/create.ts";
import { localCounter } from "../context/text-counter.ts";
import { type MessagesRequest, MessagesRequestSchema } from "../protocol/anthropic.ts";
import { analyzeRequest, bar, breakdownRows, systemText } from "../trace/analyze.ts";
import { compareResults } from "../trace/compare.ts";
import { type ReplayResult, replayOnce } from "../trace/replay.ts";
import { renderReport } from "../trace/report-html.ts";
import { listTraceFiles, readTrace, type Trace } from "../trace/store.ts";
import { startCommand } from "./choose-mode.ts";
import { createLogger } from "./logger.ts";
import { flagsFrom, loadConfig, proxyArgs } from "./options.ts";
import { exitOnConfigError } from "./run-safely.ts";

const tracesRoot = (args: Record<string, unknown>) => exitOnConfigError(() => loadConfig(flagsFrom(args))).traces.dir;
const print = (s: string) => process.stdout.write(`${s}\n`);

interface Loaded {
  path: string;
  request: MessagesRequest;
  trace?: Trace;
}

/** A trace file, a captured fixture ({body}) or a bare Anthropic request; "latest" = newest trace. */
function loadRequest(target: string, root: string): Loaded {
  const path = target === "latest" ? listTraceFiles(root).at(-1)?.path : resolve(target);
  if (!path) throw new Error(`no traces in ${root} yet (turn them on with --trace or debug.enableTraces)`);
  const json = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  if (json.version === 1 && json.request) {
    const trace = readTrace(path);
    return { path, request: v.parse(MessagesRequestSchema, trace.request), trace };
  }
  const body = (json.body ?? json) as unknown;
  const parsed = v.safeParse(MessagesRequestSchema, body);
  if (!parsed.success) throw new Error(`${path}: not a trace or an Anthropic request (${parsed.issues[0].message})`);
  return { path, request: parsed.output };
}

/** The request just before this one in the same session (same mode folder), if any. */
function previousInSession(loaded: Loaded): MessagesRequest | undefined {
  if (!loaded.trace?.session) return undefined;
  const dir = dirname(loaded.path);
  const earlier = readdirSync(dir)
    .filter((n) => n.endsWith(".json") && n < basename(loaded.path))
    .sort()
    .reverse();
  for (const name of earlier) {
    try {
      const t = readTrace(join(dir, name));
      if (t.session === loaded.trace.session) return v.parse(MessagesRequestSchema, t.request);
    } catch {}
  }
  return undefined;
}

const list = defineCommand({
  meta: { name: "list", description: "Recent traces: time, mode, model, tokens, TTFT, duration" },
  args: { ...proxyArgs, json: { type: "boolean" }, limit: { type: "string", default: "20" } },
  run({ args }) {
    const root = tracesRoot(args);
    const traces = listTraceFiles(root)
      .slice(-Number(args.limit))
      .flatMap((f) => {
        try {
          return [{ file: f.path, ...readTrace(f.path) }];
        } catch {
          return [];
        }
      });
    const rows = traces.map((t) => ({
      file: t.file,
      time: new Date(t.timings.received).toISOString(),
      mode: t.mode,
      model: t.backendModel,
      inputTokens: (t.usage?.input_tokens ?? 0) + (t.usage?.cache_read_input_tokens ?? 0),
      outputTokens: t.usage?.output_tokens ?? 0,
      ttftMs: t.timings.firstToken ? t.timings.firstToken - t.timings.received : null,
      durationMs: t.timings.finished - t.timings.received,
      error: t.error?.type ?? null,
    }));
    if (args.json) return print(JSON.stringify(rows, null, 2));
    if (!rows.length) return createLogger().info(`no traces in ${root}`);
    print(`${"time".padEnd(24)} ${"mode".padEnd(10)} ${"model".padEnd(28)} ${"in tok".padStart(8)} ${"out tok".padStart(8)} ${"TTFT ms".padStart(8)} ${"total ms".padStart(9)}`);
    for (const r of rows)
      print(`${r.time.padEnd(24)} ${r.mode.padEnd(10)} ${r.model.slice(0, 28).padEnd(28)} ${String(r.inputTokens).padStart(8)} ${String(r.outputTokens).padStart(8)} ${String(r.ttftMs ?? "-").padStart(8)} ${String(r.durationMs).padStart(9)}${r.error ? `  ${r.error}` : ""}`);
  },
});

const analyze = defineCommand({
  meta: { name: "analyze", description: "Token breakdown of a request: system, tools, messages, cache-stable prefix" },
  args: {
    ...proxyArgs,
    target: { type: "positional", description: "trace file, captured request, or 'latest'", default: "latest" },
    v: { type: "boolean", description: "Print the system prompt and tool texts" },
    json: { type: "boolean" },
  },
  async run({ args }) {
    const loaded = loadRequest(String(args.target), tracesRoot(args));
    const b = await analyzeRequest(loaded.request, localCounter(), previousInSession(loaded));
    if (args.json) return print(JSON.stringify({ file: loaded.path, ...b }, null, 2));
    print(`${loaded.path}: ${b.total} tokens (${b.counter})`);
    for (const r of breakdownRows(b)) print(`  ${r.label.slice(0, 30).padEnd(30)} ${String(r.tokens).padStart(7)}  ${bar(r.share)} ${(r.share * 100).toFixed(1).padStart(5)}%`);
    if (b.stablePrefix) print(`  cache-stable prefix: ${b.stablePrefix.tokens} tokens identical to the previous request of this session (${b.stablePrefix.ofPrevious} tokens)`);
    if (args.v) {
      print(`\n--- system prompt ---\n${systemText(loaded.request)}`);
      for (const t of loaded.request.tools ?? []) print(`\n--- tool ${t.name} ---\n${t.description ?? ""}\n${JSON.stringify(t.input_schema ?? {}, null, 2)}`);
    }
  },
});

const replay = defineCommand({
  meta: { name: "replay", description: "Send a recorded request to a backend N times and measure it" },
  args: {
    ...proxyArgs,
    target: { type: "positional", description: "trace file, captured request, or 'latest'", default: "latest" },
    runs: { type: "string", default: "3" },
    out: { type: "string", description: "Results folder (default ~/.anyclaude/replays)" },
  },
  async run({ args }) {
    const { config, logger, mode } = await startCommand(args);
    const loaded = loadRequest(String(args.target), config.traces.dir);
    const settings = config.backends[mode];
    const backend = createBackend(settings, logger, config.idleTimeoutMs);
    const model = settings.model ?? (await backend.describe(AbortSignal.timeout(5000)).catch(() => null))?.models[0]?.id ?? "default";
    const runs = Math.max(1, Number(args.runs) || 1);
    const result: ReplayResult = { version: 1, mode, model, trace: loaded.path, startedAt: new Date().toISOString(), runs: [] };
    for (let i = 1; i <= runs; i++) {
      const r = await replayOnce(backend, loaded.request, model, i);
      result.runs.push(r);
      logger.info(`${bar(i / runs, 20)} ${i}/${runs}  prompt ${r.promptMs.toFixed(0)} ms, generation ${r.generationMs.toFixed(0)} ms, ${r.tokensPerSecond.toFixed(1)} tok/s, cached ${r.cachedTokens}${r.error ? `  ✗ ${r.error}` : ""}`);
    }
    const outDir = resolve(String(args.out ?? join(dirname(config.traces.dir), "replays")));
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
    const file = join(outDir, `${mode}-${model.replace(/[^A-Za-z0-9._-]/g, "_")}-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify(result, null, 2), { mode: 0o600 });
    logger.success(`results: ${file}`);
  },
});

const compare = defineCommand({
  meta: { name: "compare", description: "Compare replay results across models/backends (table, --html report)" },
  args: {
    dir: { type: "positional", description: "results folder" },
    html: { type: "string", description: "Write an HTML report with charts here" },
    json: { type: "boolean" },
  },
  run({ args }) {
    const dir = resolve(String(args.dir));
    const results = readdirSync(dir)
      .filter((n) => n.endsWith(".json"))
      .map((n) => JSON.parse(readFileSync(join(dir, n), "utf8")) as ReplayResult)
      .filter((r) => r.version === 1 && Array.isArray(r.runs));
    // Several result files of one model/backend are one population.
    const merged = new Map<string, ReplayResult>();
    for (const r of results) {
      const key = `${r.mode}/${r.model}`;
      const m = merged.get(key);
      merged.set(key, m ? { ...m, runs: [...m.runs, ...r.runs] } : r);
    }
    const rows = compareResults([...merged.values()]);
    if (args.html) {
      writeFileSync(resolve(String(args.html)), renderReport(rows));
      createLogger().success(`report: ${resolve(String(args.html))}`);
    }
    if (args.json) return print(JSON.stringify(rows, null, 2));
    const f = (s: { median: number; min: number; max: number }, d = 0) => `${s.median.toFixed(d)} (${s.min.toFixed(d)}-${s.max.toFixed(d)})`.padStart(20);
    print(`${"backend/model".padEnd(36)} ${"runs".padStart(4)} ${"prompt ms".padStart(20)} ${"generation ms".padStart(20)} ${"total ms".padStart(20)} ${"tok/s".padStart(20)}`);
    for (const r of rows) print(`${r.label.slice(0, 36).padEnd(36)} ${String(r.runs).padStart(4)} ${f(r.promptMs)} ${f(r.generationMs)} ${f(r.totalMs)} ${f(r.tokensPerSecond, 1)}`);
  },
});

export const traceCommand = defineCommand({
  meta: { name: "trace", description: "Recorded exchanges: list, analyze, replay, compare" },
  subCommands: { list, analyze, replay, compare },
});
