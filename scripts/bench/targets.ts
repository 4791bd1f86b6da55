// Each benchmark figure next to its target, marked met or missed, so a miss cannot hide in a
// list of numbers. `--quick` (the clone test in CI) runs a bench with few iterations: its
// figures show that the bench works, not how fast anyclaude is.
export const QUICK = process.argv.includes("--quick");

export interface Target {
  /** "below" a maximum, or "at least" a minimum. */
  kind: "below" | "at least";
  limit: number;
  unit: string;
}

export const below = (limit: number, unit: string): Target => ({ kind: "below", limit, unit });
export const atLeast = (limit: number, unit: string): Target => ({ kind: "at least", limit, unit });

export function met(value: number, t: Target): boolean {
  return t.kind === "below" ? value < t.limit : value >= t.limit;
}

/** `name: 123.4 MB — ✗ missed (target below 120 MB)`. */
export function verdict(name: string, value: number, t: Target, digits = 1): string {
  const mark = met(value, t) ? "✓ met" : "✗ missed";
  return `${name}: ${value.toFixed(digits)} ${t.unit} — ${mark} (target ${t.kind} ${t.limit} ${t.unit})${QUICK ? " [quick run]" : ""}`;
}
