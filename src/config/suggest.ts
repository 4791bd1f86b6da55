// "did you mean baseUrl?": the valid keys at a place in the config schema, and the nearest one.
import type * as v from "valibot";

type AnySchema = v.GenericSchema & { entries?: Record<string, AnySchema>; wrapped?: AnySchema };

/** The keys an object schema accepts at `path` (optional wrappers looked through); [] if none. */
export function keysAt(schema: AnySchema, path: readonly string[]): string[] {
  let s: AnySchema | undefined = schema;
  for (const key of path) {
    while (s?.wrapped) s = s.wrapped;
    s = s?.entries?.[key];
  }
  while (s?.wrapped) s = s.wrapped;
  return Object.keys(s?.entries ?? {});
}

/** The path of the first JSON array where the schema wants an object or a record; null if none. */
export function arrayInPlaceOfObject(schema: AnySchema | undefined, value: unknown, path: readonly string[]): string[] | null {
  let s = schema;
  while (s?.wrapped) s = s.wrapped;
  if (Array.isArray(value)) return s && /object|record/.test(s.type) ? [...path] : null;
  if (value === null || typeof value !== "object" || !s?.entries) return null;
  for (const [key, inner] of Object.entries(value)) {
    const found = arrayInPlaceOfObject(s.entries[key], inner, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Levenshtein distance, case-insensitive (baseURL is one typo from baseUrl, not three). */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length]!;
}

/** The closest candidate, if it is close enough to be what was meant (or the word cut short). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  const prefixOf = word.length >= 3 ? candidates.find((c) => c.toLowerCase().startsWith(word.toLowerCase())) : undefined;
  if (prefixOf) return prefixOf;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
