// Replay results side by side: median and spread per model/backend. Pure.
import type { ReplayResult } from "./replay.ts";

export interface Stat {
  median: number;
  min: number;
  max: number;
}

export interface ComparisonRow {
  label: string;
  mode: string;
  model: string;
  baseUrl?: string;
  runs: number;
  failed: number;
  /** Each distinct failure, with how many runs it ended. */
  errors: { message: string; runs: number }[];
  promptMs: Stat;
  generationMs: Stat;
  totalMs: Stat;
  tokensPerSecond: Stat;
  cachedTokens: Stat;
}

export function stat(xs: number[]): Stat {
  if (!xs.length) return { median: 0, min: 0, max: 0 };
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s.at(-1)! };
}

const hostOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).host : "unknown server";
  } catch {
    return url ?? "unknown server";
  }
};

/**
 * Result files of one backend (mode and URL) and model are one population. The label is
 * mode/model, plus the server when one mode/model was measured on several.
 */
export function mergeResults(results: ReplayResult[]): (ReplayResult & { label: string })[] {
  const merged = new Map<string, ReplayResult>();
  for (const r of results) {
    const key = JSON.stringify([r.mode, r.model, r.baseUrl ?? null]);
    const m = merged.get(key);
    merged.set(key, m ? { ...m, runs: [...m.runs, ...r.runs] } : r);
  }
  const all = [...merged.values()];
  return all.map((r) => {
    const shared = all.filter((o) => o.mode === r.mode && o.model === r.model).length > 1;
    return { ...r, label: `${r.mode}/${r.model}${shared ? ` @ ${hostOf(r.baseUrl)}` : ""}` };
  });
}

function countErrors(errors: (string | undefined)[]): { message: string; runs: number }[] {
  const counts = new Map<string, number>();
  for (const e of errors) if (e) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts].map(([message, runs]) => ({ message, runs }));
}

export function compareResults(results: ReplayResult[]): ComparisonRow[] {
  return mergeResults(results)
    .map((r) => {
      const ok = r.runs.filter((x) => !x.error);
      const pick = (f: (x: (typeof ok)[number]) => number) => stat(ok.map(f));
      return {
        label: r.label,
        mode: r.mode,
        model: r.model,
        ...(r.baseUrl ? { baseUrl: r.baseUrl } : {}),
        runs: r.runs.length,
        failed: r.runs.length - ok.length,
        errors: countErrors(r.runs.map((x) => x.error)),
        promptMs: pick((x) => x.promptMs),
        generationMs: pick((x) => x.generationMs),
        totalMs: pick((x) => x.totalMs),
        tokensPerSecond: pick((x) => x.tokensPerSecond),
        cachedTokens: pick((x) => x.cachedTokens),
      };
    })
    .sort((a, b) => a.totalMs.median - b.totalMs.median);
}
