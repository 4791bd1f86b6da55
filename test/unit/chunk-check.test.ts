// The hand check must give ChunkSchema's verdict on every input: real chunks from the frozen
// scenarios and the wire shapes of each server, and each of them with every field replaced by
// every JSON type.
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { checkChunk } from "../../src/protocol/chunk-check.ts";
import { ChunkSchema } from "../../src/protocol/openai.ts";
import { loadGoldens } from "../helpers/golden.ts";
import { loadWireCorpus } from "../helpers/wire-corpus.ts";

const json = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Every chunk of the wire corpus (real servers' bytes) and of the frozen scenarios. */
function realChunks(): unknown[] {
  const out: unknown[] = [];
  for (const fixture of loadWireCorpus())
    for (const r of fixture.responses) {
      if (r.status !== 200) continue;
      const text = r.body.filter((b) => typeof b === "string").join("");
      if (!r.headers["content-type"]?.includes("event-stream")) out.push(json(text));
      else for (const line of text.split(/\r\n|\r|\n/)) if (line.startsWith("data:")) out.push(json(line.slice(5).trim()));
    }
  for (const { golden } of loadGoldens())
    for (const reply of golden.replies) {
      if (reply.kind === "json") out.push(reply.body);
      if (reply.kind !== "sse") continue;
      for (const f of reply.frames) {
        if (typeof f === "string" && f !== "[DONE]") out.push(json(f));
      }
    }
  // Not every line is a chunk ([DONE], a cut or error payload): only the ones valibot accepts.
  return out.filter((c) => c !== undefined && v.safeParse(ChunkSchema, c).success);
}

const VALUES: unknown[] = [null, undefined, 0, 1.5, -3, "", "x", true, false, [], [1], {}, { a: 1 }, [{}], [null]];

/** Every path to a field inside `x`, including the absent known fields at each level. */
const KNOWN: Record<string, string[]> = {
  "": ["choices", "usage", "timings", "error"],
  choice: ["delta", "message", "finish_reason", "stop_reason"],
  delta: ["content", "reasoning_content", "reasoning", "reasoning_details", "tool_calls"],
  detail: ["type", "text", "summary"],
  call: ["index", "id", "function"],
  fn: ["name", "arguments"],
  usage: ["prompt_tokens", "completion_tokens", "prompt_tokens_details"],
  details: ["cached_tokens", "cache_write_tokens"],
  timings: ["cache_n"],
};
const LEVEL_OF: Record<string, string> = {
  choices: "choice", delta: "delta", message: "delta", tool_calls: "call", function: "fn", reasoning_details: "detail",
  usage: "usage", prompt_tokens_details: "details", timings: "timings",
};

function* mutations(x: unknown, level = ""): Generator<(root: unknown) => unknown> {
  if (typeof x !== "object" || x === null) return;
  if (Array.isArray(x)) {
    for (let i = 0; i < x.length; i++) {
      for (const value of VALUES) yield (root) => (root as unknown[]).map((e, j) => (j === i ? value : e));
      for (const m of mutations(x[i], level)) yield (root) => {
        const copy = [...(root as unknown[])];
        copy[i] = m(copy[i]);
        return copy;
      };
    }
    return;
  }
  const obj = x as Record<string, unknown>;
  for (const key of new Set([...Object.keys(obj), ...(KNOWN[level] ?? [])])) {
    for (const value of VALUES) yield (root) => ({ ...(root as object), [key]: value });
    const inner = LEVEL_OF[key];
    if (inner && key in obj)
      for (const m of mutations(obj[key], inner)) yield (root) => ({ ...(root as object), [key]: m((root as Record<string, unknown>)[key]) });
  }
}

describe("checkChunk agrees with ChunkSchema", () => {
  const chunks = realChunks();

  test("on the real chunks, which all pass", () => {
    expect(chunks.length).toBeGreaterThan(100);
    for (const c of chunks) {
      expect(v.safeParse(ChunkSchema, c).success).toBe(true);
      expect(checkChunk(c)).toBe(c as never);
    }
  });

  test("on every field of every distinct chunk shape replaced by every JSON type", () => {
    const shapes = new Map<string, unknown>();
    for (const c of chunks) shapes.set(JSON.stringify(c).replace(/"(?:[^"\\]|\\.)*"|-?\d+(\.\d+)?/g, "_"), c);
    let compared = 0;
    let rejected = 0;
    for (const c of shapes.values())
      for (const m of mutations(c)) {
        const mutated = m(c);
        const want = v.safeParse(ChunkSchema, mutated).success;
        if (want !== (checkChunk(mutated) !== undefined)) throw new Error(`disagree (valibot ${want}) on ${JSON.stringify(mutated)}`);
        compared++;
        if (!want) rejected++;
      }
    expect(compared).toBeGreaterThan(2000);
    expect(rejected).toBeGreaterThan(500);
  });

  test("on top-level values that are not chunks", () => {
    for (const x of VALUES) expect(checkChunk(x) !== undefined).toBe(v.safeParse(ChunkSchema, x).success);
  });
});
