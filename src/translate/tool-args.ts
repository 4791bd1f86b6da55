// Tool-call argument repair (protocol.md §6.6, T12, T14, T20). Weak local models emit trailing
// commas, single quotes, ```json fences, double-encoded strings, Python literals or cut-off JSON;
// Claude Code must only ever see a complete JSON object, and only one the model really wrote.
//
// The cut-off rule: repair fixes syntax whose meaning is certain, never the end of a value. An
// unterminated string, a number or literal that reaches the end of the text, a key without a
// value and an unclosed array make the call cut off. Missing closing braces are accepted only when
// nothing can be missing: every property the object's schema declares is present (otherwise
// `{"command":"ls"` might have been `{"command":"ls","run_in_background":true}`).

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Record<string, unknown>;

export type RepairResult =
  | { ok: true; input: Record<string, unknown>; repaired: boolean }
  | { ok: false; reason: string; cutOff: boolean };

/** What the user sees instead of a cut-off call: the one wording, used for text notes and errors. */
export function cutOffNote(tool: string): string {
  return (
    `[anyclaude] The model's ${tool} call was cut off before its arguments were complete; it was not run. ` +
    "(anyclaude never completes a cut-off value and closes brackets only when every parameter is present.)"
  );
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

const LITERALS: Record<string, Json> = { true: true, false: false, null: null, True: true, False: false, None: null };
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "/": "/", "\\": "\\", '"': '"', "'": "'" };
// Sticky patterns read at the parser's position without copying the rest of the text.
const WORD = /[A-Za-z_$][\w$]*/y;
const KEY_WORD = /[A-Za-z_$][\w$-]*/y;
const NUMBER_RUN = /[-+0-9.eE]+/y;

/** An object whose closing brace never came: where it sits and the keys it got. */
interface Unclosed {
  /** Keys from the root; null when the object sits inside an array. */
  path: string[] | null;
  keys: string[];
}

/**
 * A forgiving JSON reader: single-quoted strings, unquoted keys, trailing commas, comments,
 * True/False/None. At the end of the text it records what was cut rather than guessing.
 */
class LenientParser {
  private i = 0;
  /** Why the text ends inside a value, if it does. */
  cut: string | null = null;
  readonly unclosed: Unclosed[] = [];
  constructor(private readonly s: string) {}

  /** Reads one value; prose after it (models like to explain themselves) is ignored. */
  parse(): Json {
    return this.value([]);
  }

  private sticky(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.i;
    return pattern.exec(this.s)?.[0];
  }

  private cutOff(why: string): null {
    this.cut ??= why;
    return null;
  }

  private ws(): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === " " || c === "\n" || c === "\r" || c === "\t") this.i++;
      else if (c === "/" && this.s[this.i + 1] === "/") while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++;
      else if (c === "/" && this.s[this.i + 1] === "*") {
        const end = this.s.indexOf("*/", this.i + 2);
        this.i = end < 0 ? this.s.length : end + 2;
      } else return;
    }
  }

  private value(path: string[] | null): Json {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) return this.cutOff("a value is missing");
    if (c === "{") return this.object(path);
    if (c === "[") return this.array();
    if (c === '"' || c === "'") return this.string(c);
    if (c === "-" || c === "." || (c >= "0" && c <= "9")) return this.number();
    const word = this.sticky(WORD);
    if (word) {
      this.i += word.length;
      if (word in LITERALS) return LITERALS[word]!;
      if (this.i === this.s.length && Object.keys(LITERALS).some((l) => l.startsWith(word))) return this.cutOff(`literal ${word} cut off`);
      throw new Error(`unexpected word ${word}`);
    }
    throw new Error(`unexpected ${JSON.stringify(c)}`);
  }

  private object(path: string[] | null): Json {
    this.i++;
    const out: { [k: string]: Json } = {};
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined) {
        this.unclosed.push({ path, keys: Object.keys(out) });
        return out;
      }
      if (c === "}") return (this.i++, out);
      if (c === ",") {
        this.i++;
        continue;
      }
      let key: string;
      if (c === '"' || c === "'") key = this.string(c);
      else {
        const word = this.sticky(KEY_WORD);
        if (!word) throw new Error(`bad key at ${this.i}`);
        key = word;
        this.i += word.length;
      }
      this.ws();
      if (this.s[this.i] === undefined) return (this.cutOff(`no value for ${key}`), out);
      if (this.s[this.i] !== ":") throw new Error(`expected ':' after ${key}`);
      this.i++;
      const v = this.value(path && [...path, key]);
      if (this.cut) return out;
      out[key] = v;
    }
  }

  private array(): Json {
    this.i++;
    const out: Json[] = [];
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      // An unclosed array could always have had more elements.
      if (c === undefined) return (this.cutOff("an array is not closed"), out);
      if (c === "]") return (this.i++, out);
      if (c === ",") {
        this.i++;
        continue;
      }
      out.push(this.value(null));
      if (this.cut) return out;
    }
  }

  private string(quote: string): string {
    this.i++;
    let out = "";
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) return (this.cutOff("a string is not terminated"), out);
      this.i++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      if (e === undefined) return (this.cutOff("a string is not terminated"), out);
      if (e === "u") {
        const hex = this.s.slice(this.i, this.i + 4);
        if (/^[0-9a-fA-F]{4}$/.test(hex)) {
          out += String.fromCharCode(parseInt(hex, 16));
          this.i += 4;
        } else if (this.i + hex.length === this.s.length && /^[0-9a-fA-F]*$/.test(hex)) {
          return (this.cutOff("a string is not terminated"), out);
        } else out += "\\u"; // not an escape (a Windows path like C:\users): keep it as written
      } else out += ESCAPES[e] ?? e;
    }
  }

  private number(): Json {
    const run = this.sticky(NUMBER_RUN)!;
    // `12` at the very end may have been `120`: a number needs something after it.
    if (this.i + run.length === this.s.length) return (this.i += run.length, this.cutOff(`number ${run} cut off`));
    if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(run)) throw new Error(`bad number ${run}`);
    this.i += run.length;
    return Number(run);
  }
}

/** Strip ```json fences and any prose before the first JSON object. */
function extractJsonText(raw: string): string {
  let s = raw.trim();
  const fence = /```[A-Za-z]*\s*([\s\S]*?)(?:```|$)/.exec(s);
  if (fence) s = fence[1]!.trim();
  // The opening brace was lost (`"command": "ls"}`): a quoted key and a colon start the text.
  if (/^(["'])[^"'\n]+\1\s*:/.test(s)) return `{${s}`;
  if (!/^[{["']/.test(s)) {
    const start = s.indexOf("{");
    if (start > 0) s = s.slice(start);
  }
  return s;
}

interface Parsed {
  value: Json;
  repaired: boolean;
  cut: string | null;
  unclosed: Unclosed[];
}

function parseLoose(text: string): Parsed {
  try {
    return { value: JSON.parse(text) as Json, repaired: false, cut: null, unclosed: [] };
  } catch {
    const p = new LenientParser(text);
    const value = p.parse();
    return { value, repaired: true, cut: p.cut, unclosed: p.unclosed };
  }
}

function propertiesOf(schema: unknown): Record<string, unknown> | undefined {
  return isObject(schema) && isObject(schema.properties) ? schema.properties : undefined;
}

/** Why the parsed text cannot be the model's whole call, or null when it can (the cut-off rule above). */
function whyIncomplete(parsed: Parsed, schema: Schema | undefined, truncatedResponse: boolean): string | null {
  if (parsed.cut) return parsed.cut;
  for (const { path, keys } of parsed.unclosed) {
    if (truncatedResponse) return "an object is not closed and the response hit max_tokens";
    let props = propertiesOf(schema);
    for (const key of path ?? []) props = propertiesOf(props?.[key]);
    if (!path || !props) return "an object is not closed and its schema does not say which keys it has";
    const missing = Object.keys(props).filter((k) => !keys.includes(k));
    if (missing.length) return `an object is not closed and ${missing.join(", ")} could have followed`;
  }
  return null;
}

/** Coerce string-encoded values to the types the schema declares (Llama-family parsers, T20). */
function coerceToSchema(input: Record<string, unknown>, schema: Schema | undefined): boolean {
  const props = (propertiesOf(schema) ?? {}) as Record<string, Schema>;
  let changed = false;
  for (const [key, value] of Object.entries(input)) {
    const want = props[key]?.type;
    if (typeof value !== "string" || !want || want === "string") continue;
    const t = value.trim();
    let next: unknown;
    if ((want === "array" || want === "object") && /^[[{]/.test(t)) {
      try {
        const parsed = parseLoose(t);
        // A cut-off encoded value stays the string the model wrote.
        if (whyIncomplete(parsed, props[key], false)) continue;
        next = parsed.value;
      } catch {
        continue;
      }
      if (want === "array" ? !Array.isArray(next) : !isObject(next)) continue;
    } else if ((want === "integer" || want === "number") && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(t)) next = Number(t);
    else if (want === "boolean" && /^(true|false)$/i.test(t)) next = t.toLowerCase() === "true";
    else continue;
    input[key] = next;
    changed = true;
  }
  return changed;
}

export interface RepairOptions {
  /** The stream ended on finish_reason "length": even a missing closing brace means a cut call (T16). */
  truncatedResponse?: boolean;
}

export function repairToolArguments(raw: unknown, schema?: Schema, opts: RepairOptions = {}): RepairResult {
  const truncated = opts.truncatedResponse === true;
  const cutOff = (why: string): RepairResult => ({ ok: false, reason: `arguments cut off: ${why}`, cutOff: true });
  const invalid = (why: string): RepairResult => ({ ok: false, reason: why, cutOff: false });
  if (isObject(raw)) {
    const input = { ...raw };
    return { ok: true, input, repaired: coerceToSchema(input, schema) };
  }
  if (raw == null || (typeof raw === "string" && /^\s*(null)?\s*$/.test(raw))) {
    // Several servers send "" for a call without arguments; that is a whole call only when the
    // tool needs none.
    const required = Array.isArray(schema?.required) ? (schema.required as string[]) : [];
    if (required.length) return cutOff(`no arguments, but ${required.join(", ")} required`);
    return { ok: true, input: {}, repaired: raw !== "" && raw != null };
  }
  if (typeof raw !== "string") return invalid(`arguments of type ${typeof raw}`);

  let value: Json;
  let repaired = false;
  try {
    const text = extractJsonText(raw);
    const parsed = parseLoose(text);
    const why = whyIncomplete(parsed, schema, truncated);
    if (why) return cutOff(why);
    value = parsed.value;
    repaired = parsed.repaired || text !== raw.trim();
  } catch (e) {
    return invalid(`unparseable arguments: ${(e as Error).message}`);
  }
  // Double-encoded: a JSON string holding the object.
  for (let depth = 0; typeof value === "string" && depth < 2; depth++) {
    const text = extractJsonText(value);
    if (!/^[{["']/.test(text)) break;
    let inner: Parsed;
    try {
      inner = parseLoose(text);
    } catch {
      break;
    }
    const why = whyIncomplete(inner, schema, truncated);
    if (why) return cutOff(why);
    value = inner.value;
    repaired = true;
  }
  if (!isObject(value)) {
    const props = Object.keys(propertiesOf(schema) ?? {});
    if (props.length === 1 && value !== null) return { ok: true, input: { [props[0]!]: value }, repaired: true };
    if (value === null) {
      const empty = repairToolArguments("", schema, opts);
      return empty.ok ? { ...empty, repaired: true } : empty;
    }
    return invalid(`arguments are ${Array.isArray(value) ? "an array" : typeof value}, not an object`);
  }
  const input = value as Record<string, unknown>;
  if (coerceToSchema(input, schema)) repaired = true;
  if (truncated) {
    const required = Array.isArray(schema?.required) ? (schema.required as string[]) : [];
    if (required.some((k) => !(k in input))) return cutOff("required arguments missing after max_tokens");
  }
  return { ok: true, input, repaired };
}
