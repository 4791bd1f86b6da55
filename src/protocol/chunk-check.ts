// The per-chunk shape check of the streaming hot path: accepts exactly what ChunkSchema (valibot,
// openai.ts) accepts, without building a copy of every chunk. ChunkSchema stays the definition;
// test/unit/chunk-check.test.ts holds the two to the same verdict on every field and type.
import type { Chunk } from "./openai.ts";

type Obj = Record<string, unknown>;

// valibot's object and record schemas take any non-null object (arrays included); so do we.
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null;
const isNum = (x: unknown) => typeof x === "number" && !Number.isNaN(x);
/** optional(nullable(...)): absent, undefined or null pass. */
const none = (x: unknown) => x === undefined || x === null;
const optStr = (x: unknown) => none(x) || typeof x === "string";
const optNum = (x: unknown) => none(x) || isNum(x);

function toolCallOk(t: unknown): boolean {
  if (!isObj(t)) return false;
  if (!optNum(t.index)) return false;
  if (!(none(t.id) || typeof t.id === "string" || isNum(t.id))) return false;
  const f = t.function;
  if (none(f)) return true;
  if (!isObj(f) || !optStr(f.name)) return false;
  return none(f.arguments) || typeof f.arguments === "string" || isObj(f.arguments);
}

function reasoningDetailOk(r: unknown): boolean {
  return isObj(r) && optStr(r.type) && optStr(r.text) && optStr(r.summary);
}

function deltaOk(d: unknown): boolean {
  if (none(d)) return true;
  if (!isObj(d) || !optStr(d.content) || !optStr(d.reasoning_content) || !optStr(d.reasoning)) return false;
  const details = d.reasoning_details;
  if (!none(details)) {
    if (!Array.isArray(details)) return false;
    for (const r of details) if (!reasoningDetailOk(r)) return false;
  }
  const calls = d.tool_calls;
  if (none(calls)) return true;
  if (!Array.isArray(calls)) return false;
  for (const c of calls) if (!toolCallOk(c)) return false;
  return true;
}

function choiceOk(c: unknown): boolean {
  if (!isObj(c) || !deltaOk(c.delta) || !deltaOk(c.message) || !optStr(c.finish_reason)) return false;
  return none(c.stop_reason) || typeof c.stop_reason === "string" || isNum(c.stop_reason);
}

function usageOk(u: unknown): boolean {
  if (none(u)) return true;
  if (!isObj(u) || !optNum(u.prompt_tokens) || !optNum(u.completion_tokens)) return false;
  const d = u.prompt_tokens_details;
  return none(d) || (isObj(d) && optNum(d.cached_tokens) && optNum(d.cache_write_tokens));
}

/** The chunk itself when its shape is one ChunkSchema accepts; undefined otherwise. */
export function checkChunk(json: unknown): Chunk | undefined {
  if (!isObj(json)) return undefined;
  const choices = json.choices;
  if (!none(choices)) {
    if (!Array.isArray(choices)) return undefined;
    for (const c of choices) if (!choiceOk(c)) return undefined;
  }
  if (!usageOk(json.usage)) return undefined;
  const t = json.timings;
  if (!none(t) && !(isObj(t) && (t.cache_n === undefined || isNum(t.cache_n)))) return undefined;
  return json as Chunk;
}
