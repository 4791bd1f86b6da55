// `anyclaude trace list | analyze | replay | compare`.
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { defineCommand } from "citty";
import * as v from "valibot";
import { localCounter } from "../context/text-counter.ts";
import { type MessagesRequest, MessagesRequestSchema } from "../protocol/anthropic.ts";
import { analyzeRequest, bar, breakdownRows, systemText } from "../trace/analyze.ts";
import { listTraceFiles, readTrace, type Trace } from "../trace/store.ts";
import { loadCommandConfig } from "./choose-mode.ts";
import { CliError, EXIT_USAGE, fileError } from "./errors.ts";
import { configArgs, jsonArg } from "./options.ts";
import { printLine as print } from "./output.ts";

const NO_TRACES = "turn them on with --trace or debug.enableTraces, or name a trace file";
export const targetArg = { type: "positional", description: "A trace file, a captured request, or 'latest'", default: "latest" } as const;

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw fileError(path, e, what);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new CliError(`${path} is not JSON, so not a trace or an Anthropic request`);
  }
}

export interface Loaded {
  path: string;
  request: MessagesRequest;
  trace?: Trace;
}

/** A trace file, a captured fixture ({body}) or a bare Anthropic request; "latest" = newest trace. */
/** The trace files under the traces folder; a folder that cannot be listed is one line, not a bug. */
function tracesIn(root: string) {
  try {
    return listTraceFiles(root);
  } catch (e) {
    throw new CliError(`${fileError(root, e, "traces folder").message}; move it away, or set traces.dir in .anyclauderc.json`);
  }
}

export function loadRequest(target: string, root: string): Loaded {
  const path = target === "latest" ? tracesIn(root).at(-1)?.path : resolve(target);
  if (!path) throw new CliError(`no traces in ${root} yet: ${NO_TRACES}`);
  const json = readJson(path, "trace file") as Record<string, unknown> | null;
  if (json && typeof json === "object" && json.version === 1 && json.request) {
    let trace: Trace;
    try {
      trace = readTrace(path);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    if (trace.truncated?.omitted.includes("request"))
      throw new CliError(`${path} holds no request: it was ${trace.truncated.originalBytes} bytes, over the ${trace.truncated.limitBytes}-byte cap of one trace`);
    const parsed = v.safeParse(MessagesRequestSchema, trace.request);
    if (!parsed.success) throw new CliError(`${path}: the recorded request is not a valid Anthropic request (${parsed.issues[0].message})`);
    return { path, request: parsed.output, trace };
  }
  const body = (json && typeof json === "object" && "body" in json ? json.body : json) as unknown;
  const parsed = v.safeParse(MessagesRequestSchema, body);
  if (!parsed.success) throw new CliError(`${path} is not a trace or an Anthropic request (${parsed.issues[0].message})`);
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
  args: { ...configArgs, ...jsonArg, limit: { type: "string", description: "How many of the newest traces to show", default: "20" } },
  run({ args }) {
    const { config, logger } = loadCommandConfig(args);
    const root = config.traces.dir;
    const limit = Number(args.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit: expected a whole number of at least 1, found "${args.limit}"`, EXIT_USAGE);
    const traces = tracesIn(root)
      .slice(-limit)
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
    if (!rows.length) return logger.info(`no traces in ${root}: ${NO_TRACES}`);
    print(`${"time".padEnd(24)} ${"mode".padEnd(10)} ${"model".padEnd(28)} ${"in tok".padStart(8)} ${"out tok".padStart(8)} ${"TTFT ms".padStart(8)} ${"total ms".padStart(9)}`);
    for (const r of rows)
      print(`${r.time.padEnd(24)} ${r.mode.padEnd(10)} ${r.model.slice(0, 28).padEnd(28)} ${String(r.inputTokens).padStart(8)} ${String(r.outputTokens).padStart(8)} ${String(r.ttftMs ?? "-").padStart(8)} ${String(r.durationMs).padStart(9)}${r.error ? `  ${r.error}` : ""}`);
  },
});

const analyze = defineCommand({
  meta: { name: "analyze", description: "Token breakdown of a request: system, tools, messages, cache-stable prefix" },
  args: {
    ...configArgs,
    target: targetArg,
    verbose: { type: "boolean", alias: "v", description: "Also print the system prompt and tool texts" },
    ...jsonArg,
  },
  async run({ args }) {
    const loaded = loadRequest(String(args.target), loadCommandConfig(args).config.traces.dir);
    const b = await analyzeRequest(loaded.request, localCounter(), previousInSession(loaded));
    if (args.json) return print(JSON.stringify({ file: loaded.path, ...b }, null, 2));
    print(`${loaded.path}: ${b.total} tokens (${b.counter})`);
    for (const r of breakdownRows(b)) print(`  ${r.label.slice(0, 30).padEnd(30)} ${String(r.tokens).padStart(7)}  ${bar(r.share)} ${(r.share * 100).toFixed(1).padStart(5)}%`);
    if (b.stablePrefix) print(`  cache-stable prefix: ${b.stablePrefix.tokens} tokens identical to the previous request of this session (${b.stablePrefix.ofPrevious} tokens)`);
    if (args.verbose) {
      print(`\n--- system prompt ---\n${systemText(loaded.request)}`);
      for (const t of loaded.request.tools ?? []) print(`\n--- tool ${t.name} ---\n${t.description ?? ""}\n${JSON.stringify(t.input_schema ?? {}, null, 2)}`);
    }
  },
});

export const traceCommand = defineCommand({
  meta: { name: "trace", description: "Recorded exchanges: list, analyze, replay, compare" },
  subCommands: { list, analyze, replay: () => import("./trace-replay.ts").then((m) => m.replay), compare: () => import("./trace-replay.ts").then((m) => m.compare) },
});
