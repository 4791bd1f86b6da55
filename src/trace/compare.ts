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
  runs: number;
  failed: number;
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

export function compareResults(results: ReplayResult[]): ComparisonRow[] {
  return results
    .map((r) => {
      const ok = r.runs.filter((x) => !x.error);
      const pick = (f: (x: (typeof ok)[number]) => number) => stat(ok.map(f));
      return {
        label: `${r.mode}/${r.model}`,
        mode: r.mode,
        model: r.model,
        runs: r.runs.length,
        failed: r.runs.length - ok.length,
        promptMs: pick((x) => x.promptMs),
        generationMs: pick((x) => x.generationMs),
        totalMs: pick((x) => x.totalMs),
        tokensPerSecond: pick((x) => x.tokensPerSecond),
        cachedTokens: pick((x) => x.cachedTokens),
      };
    })
    .sort((a, b) => a.totalMs.median - b.totalMs.median);
}
