// The streaming fast path for chunks: most servers send chunks that differ from the previous one
// only in one delta string (vLLM, Ollama, LM Studio, mlx_lm; llama.cpp until `created` ticks).
// The last fully parsed chunk becomes a template: its exact text before and after that string's
// literal. A chunk with the same text around a middle that is one valid JSON string body is the
// template's chunk with that string in place, exactly what JSON.parse gives (JSON.parse decodes
// the middle), at a fraction of the cost. Anything else takes the full path (decode.ts).
import type { Chunk } from "../protocol/openai.ts";
import { deepFreeze } from "../translate/deep-freeze.ts";

/** The delta strings that carry the stream: the answer, and the reasoning fields. */
const VARYING = ["content", "reasoning_content", "reasoning"] as const;
type Varying = (typeof VARYING)[number];

/** A string body JSON.parse would not take as is: a quote, a backslash, a control character. */
const NEEDS_DECODE = /["\\\u0000-\u001f]/;
/** Stands in for the literal while a template is verified; has nothing to escape. */
const SENTINEL = "anyclaude:chunk-template:sentinel";
/**
 * Whether `part` is in `s` at `at` (in range). Bun compares in place, ~10% of a chunk's decoding
 * faster than slicing; V8's startsWith walks the string char by char (the whole decoding ~2x slower
 * under Node), so there two slices are compared.
 */
const occursAt: (s: string, part: string, at: number) => boolean =
  typeof Bun !== "undefined" ? (s, part, at) => s.startsWith(part, at) : (s, part, at) => s.slice(at, at + part.length) === part;
/** A template that matched nothing makes the next one wait up to this many full parses. */
const MAX_SKIP = 64;

interface Template {
  prefix: string;
  suffix: string;
  field: Varying;
  /**
   * The verified parse, deep-frozen (every field but the varying one is what each matching chunk
   * has, and what they share is never written to), as the three objects each chunk copies: its
   * top level, choices[0], and its delta. These three are unfrozen copies, never handed out: Bun
   * spreads an unfrozen object ~1.5x as fast as a frozen one (~0.04 us a chunk).
   */
  top: Record<string, unknown>;
  choice: Record<string, unknown>;
  delta: Record<string, unknown>;
  /** choices[1...] as they are. */
  otherChoices: unknown[];
}

export class ChunkTemplates {
  private template: Template | null = null;
  private hits = 0;
  /** Full parses to let pass before trying to learn again (doubles while templates never match). */
  private skip = 0;
  private skipped = 0;

  /** The chunk JSON.parse would give for `text`, when it is the template with another string; else undefined. */
  match(text: string): Chunk | undefined {
    return this.matchIn(text, 0, text.length);
  }

  /** match(s.slice(from, to)), without that copy. */
  matchIn(s: string, from: number, to: number): Chunk | undefined {
    const t = this.template;
    if (!t) return undefined;
    const start = from + t.prefix.length;
    const end = to - t.suffix.length;
    if (end < start || !occursAt(s, t.prefix, from) || !occursAt(s, t.suffix, end)) return undefined;
    const body = s.slice(start, end);
    const value = NEEDS_DECODE.test(body) ? decodeBody(body) : body;
    if (value === undefined) return undefined;
    this.hits++;
    return build(t, value);
  }

  /** After the full path parsed `text` into `chunk` (a plain chunk, checked): remember it as the template when it fits one. */
  learn(text: string, chunk: Chunk): void {
    if (this.skipped < this.skip) {
      this.skipped++;
      return;
    }
    const next = templateOf(text, chunk);
    if (!next) return;
    // A template replaced before any chunk matched it: this stream's chunks differ elsewhere too.
    this.skip = this.template && this.hits === 0 ? Math.min(MAX_SKIP, this.skip * 2 || 1) : 0;
    this.skipped = 0;
    this.template = next;
    this.hits = 0;
  }
}

/** JSON.parse of the literal: exact for escapes, \u sequences and lone surrogates; undefined when it is not one string body. */
function decodeBody(body: string): string | undefined {
  try {
    // `"` + body + `"` parses only when body is one whole string body: a stray quote leaves text after the string.
    return JSON.parse(`"${body}"`) as string;
  } catch {
    return undefined;
  }
}

function build(t: Template, value: string): Chunk {
  const delta = { ...t.delta, [t.field]: value };
  const first = { ...t.choice, delta };
  return { ...t.top, choices: t.otherChoices.length === 0 ? [first] : [first, ...t.otherChoices] } as Chunk;
}

/** The varying field of a chunk: the one delta string that is not empty. */
function varyingField(chunk: Chunk): Varying | undefined {
  const delta = chunk.choices?.[0]?.delta as Record<string, unknown> | null | undefined;
  if (!delta) return undefined;
  let field: Varying | undefined;
  for (const f of VARYING) {
    const v = delta[f];
    if (typeof v !== "string" || v === "") continue;
    if (field) return undefined;
    field = f;
  }
  return field;
}

/**
 * The template of a parsed chunk, verified: the text with a sentinel in place of the candidate
 * literal must parse with the sentinel at choices[0].delta[field]. Then that literal is a whole
 * string token whose value lands there and nowhere else, so any other string body in its place
 * parses to the same chunk with that value.
 */
function templateOf(text: string, chunk: Chunk): Template | undefined {
  const field = varyingField(chunk);
  if (!field) return undefined;
  const value = (chunk.choices![0]!.delta as Record<string, unknown>)[field];
  // Were the value the sentinel, a later duplicate key could hold it and fake the verification.
  if (value === SENTINEL) return undefined;
  const key = `"${field}"`;
  // The last occurrence first: the delta usually comes late in a chunk.
  for (let at = text.lastIndexOf(key); at >= 0; at = at === 0 ? -1 : text.lastIndexOf(key, at - 1)) {
    const open = literalStart(text, at + key.length);
    if (open < 0) continue;
    const close = literalEnd(text, open + 1);
    if (close < 0) continue;
    const prefix = text.slice(0, open + 1);
    const suffix = text.slice(close);
    let base: unknown;
    try {
      base = JSON.parse(prefix + SENTINEL + suffix);
    } catch {
      continue;
    }
    const choices = (base as { choices?: unknown }).choices;
    if (!Array.isArray(choices)) continue;
    const delta = (choices[0] as { delta?: unknown } | undefined)?.delta;
    if (typeof delta === "object" && delta !== null && (delta as Record<string, unknown>)[field] === SENTINEL) {
      const top = deepFreeze(base) as Record<string, unknown> & { choices: Record<string, unknown>[] };
      const choice = top.choices[0]!;
      return {
        prefix: copyOf(prefix),
        suffix: copyOf(suffix),
        field,
        top: { ...top },
        choice: { ...choice },
        delta: { ...(choice.delta as Record<string, unknown>) },
        otherChoices: top.choices.slice(1),
      };
    }
  }
  return undefined;
}

/** After a key: optional whitespace, a colon, optional whitespace, then the opening quote's index; -1 otherwise. */
function literalStart(text: string, i: number): number {
  while (isSpace(text.charCodeAt(i))) i++;
  if (text[i] !== ":") return -1;
  i++;
  while (isSpace(text.charCodeAt(i))) i++;
  return text[i] === '"' ? i : -1;
}

/** The index of the quote that closes a string body starting at i; -1 when there is none. */
function literalEnd(text: string, i: number): number {
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

/** A string of its own: a slice would keep the whole network read it came from alive as long as the template. */
const copyOf = (s: string): string => JSON.parse(JSON.stringify(s)) as string;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
