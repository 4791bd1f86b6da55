// Where traces live and how they are read: ~/.anyclaude/traces/<mode>/<timestamp>-<id>.json,
// directories 0700, files 0600.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, type Stats, statSync } from "node:fs";
import { basename, join } from "node:path";
import * as v from "valibot";

export const TraceSchema = v.looseObject({
  version: v.literal(1),
  id: v.string(),
  mode: v.string(),
  session: v.optional(v.nullable(v.string())),
  model: v.string(),
  backendModel: v.string(),
  stream: v.boolean(),
  request: v.looseObject({ model: v.string(), messages: v.array(v.unknown()) }),
  requestHeaders: v.optional(v.record(v.string(), v.string())),
  upstreamRequest: v.optional(v.unknown()),
  response: v.optional(v.unknown()),
  error: v.optional(v.nullable(v.looseObject({ type: v.string(), message: v.string() }))),
  warnings: v.optional(v.array(v.string())),
  timings: v.looseObject({
    received: v.number(),
    upstreamFirstByte: v.optional(v.nullable(v.number())),
    firstToken: v.optional(v.nullable(v.number())),
    lastToken: v.optional(v.nullable(v.number())),
    finished: v.number(),
  }),
  /** Set when the trace was over the size cap: which parts were left out. */
  truncated: v.optional(v.looseObject({ limitBytes: v.number(), originalBytes: v.number(), omitted: v.array(v.string()) })),
  usage: v.optional(v.nullable(v.looseObject({ input_tokens: v.number(), output_tokens: v.number(), cache_read_input_tokens: v.optional(v.number()) }))),
});
export type Trace = v.InferOutput<typeof TraceSchema>;

export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}

export interface TraceFile {
  path: string;
  mode: string;
  mtimeMs: number;
}

/** A dangling symlink (a trace or mode folder removed elsewhere) is simply not a trace. */
function statIfThere(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw e;
  }
}

export function listTraceFiles(root: string): TraceFile[] {
  if (!existsSync(root)) return [];
  const out: TraceFile[] = [];
  for (const mode of readdirSync(root)) {
    const dir = join(root, mode);
    if (!statIfThere(dir)?.isDirectory()) continue;
    for (const name of readdirSync(dir)) {
      const stat = name.endsWith(".json") ? statIfThere(join(dir, name)) : undefined;
      if (stat?.isFile()) out.push({ path: join(dir, name), mode, mtimeMs: stat.mtimeMs });
    }
  }
  // File names start with the UTC timestamp: oldest first across modes.
  return out.sort((a, b) => basename(a.path).localeCompare(basename(b.path)));
}

export function readTrace(path: string): Trace {
  const result = v.safeParse(TraceSchema, JSON.parse(readFileSync(path, "utf8")));
  if (!result.success) throw new Error(`${path} is not an anyclaude trace (${result.issues[0].message})`);
  return result.output;
}

/** Removes traces older than keepDays; returns how many went. */
export function pruneTraces(root: string, keepDays: number, now = Date.now()): number {
  let removed = 0;
  for (const f of listTraceFiles(root)) {
    if (now - f.mtimeMs > keepDays * 86_400_000) {
      rmSync(f.path, { force: true });
      removed++;
    }
  }
  return removed;
}
