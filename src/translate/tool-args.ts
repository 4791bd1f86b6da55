// Tool-call argument repair (protocol.md §6.6, T12, T14, T20). Weak local models emit trailing
// commas, single quotes, ```json fences, double-encoded strings, Python literals or cut-off JSON;
// Claude Code must only ever see a complete JSON object.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Record<string, unknown>;

export type RepairResult =
  | { ok: true; input: Record<string, unknown>; repaired: boolean }
  | { ok: false; reason: string };

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * A forgiving JSON reader: single-quoted strings, unquoted keys, trailing commas, comments,
 * True/False/None, and at end of input it closes open strings, arrays and objects.
 */
class LenientParser {
  private i = 0;
  truncated = false;
  constructor(private readonly s: string) {}

  /** Reads one value; prose after it (models like to explain themselves) is ignored. */
  parse(): Json {
    return this.value();
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

  private value(): Json {
    this.ws();
    const c = this.s[this.i];
    if (c === undefined) {
      this.truncated = true;
      return null;
    }
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"' || c === "'") return this.string(c);
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    const word = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i))?.[0];
    if (word) {
      this.i += word.length;
      const literals: Record<string, Json> = { true: true, false: false, null: null, True: true, False: false, None: null };
      if (word in literals) return literals[word]!;
      throw new Error(`unexpected word ${word}`);
    }
    throw new Error(`unexpected ${JSON.stringify(c)}`);
  }

  private object(): Json {
    this.i++;
    const out: { [k: string]: Json } = {};
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined) return ((this.truncated = true), out);
      if (c === "}") return (this.i++, out);
      if (c === ",") {
        this.i++;
        continue;
      }
      let key: string;
      if (c === '"' || c === "'") key = this.string(c);
      else {
        const word = /^[A-Za-z_$][\w$-]*/.exec(this.s.slice(this.i))?.[0];
        if (!word) throw new Error(`bad key at ${this.i}`);
        key = word;
        this.i += word.length;
      }
      this.ws();
      if (this.s[this.i] === undefined) return ((this.truncated = true), out);
      if (this.s[this.i] !== ":") throw new Error(`expected ':' after ${key}`);
      this.i++;
      const before = this.truncated;
      const v = this.value();
      // A key whose value never started is dropped rather than invented.
      if (!(this.truncated && !before && v === null)) out[key] = v;
    }
  }

  private array(): Json {
    this.i++;
    const out: Json[] = [];
    for (;;) {
      this.ws();
      const c = this.s[this.i];
      if (c === undefined) return ((this.truncated = true), out);
      if (c === "]") return (this.i++, out);
      if (c === ",") {
        this.i++;
        continue;
      }
      out.push(this.value());
    }
  }

  private string(quote: string): string {
    this.i++;
    let out = "";
    for (;;) {
      const c = this.s[this.i];
      if (c === undefined) return ((this.truncated = true), out);
      this.i++;
      if (c === quote) return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = this.s[this.i++];
      if (e === undefined) return ((this.truncated = true), out);
      const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "/": "/", "\\": "\\", '"': '"', "'": "'" };
      if (e === "u") {
        const hex = this.s.slice(this.i, this.i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) return ((this.truncated = this.i + 4 > this.s.length), out);
        out += String.fromCharCode(parseInt(hex, 16));
        this.i += 4;
      } else out += simple[e] ?? e;
    }
  }

  private number(): Json {
    const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) {
      if (this.s.slice(this.i) === "-") return ((this.truncated = true), (this.i++, null));
      throw new Error(`bad number at ${this.i}`);
    }
    this.i += m[0].length;
    return Number(m[0]);
  }
}

/** Strip ```json fences and any prose before the first JSON object. */
function extractJsonText(raw: string): string {
  let s = raw.trim();
  const fence = /```[A-Za-z]*\s*([\s\S]*?)(?:```|$)/.exec(s);
  if (fence) s = fence[1]!.trim();
  if (!/^[{["']/.test(s)) {
    const start = s.indexOf("{");
    if (start > 0) s = s.slice(start);
  }
  return s;
}

function parseLoose(text: string): { value: Json; repaired: boolean; truncated: boolean } {
  try {
    return { value: JSON.parse(text) as Json, repaired: false, truncated: false };
  } catch {
    const p = new LenientParser(text);
    const value = p.parse();
    return { value, repaired: true, truncated: p.truncated };
  }
}

/** Coerce string-encoded values to the types the schema declares (Llama-family parsers, T20). */
function coerceToSchema(input: Record<string, unknown>, schema: Schema | undefined): boolean {
  const props = isObject(schema?.properties) ? (schema.properties as Record<string, Schema>) : {};
  let changed = false;
  for (const [key, value] of Object.entries(input)) {
    const want = props[key]?.type;
    if (typeof value !== "string" || !want || want === "string") continue;
    const t = value.trim();
    let next: unknown;
    if ((want === "array" || want === "object") && /^[[{]/.test(t)) {
      try {
        next = parseLoose(t).value;
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
  /** The stream ended on finish_reason "length": a cut-off call must be dropped, not completed (T16). */
  truncatedResponse?: boolean;
}

export function repairToolArguments(raw: unknown, schema?: Schema, opts: RepairOptions = {}): RepairResult {
  if (isObject(raw)) {
    const input = { ...raw };
    return { ok: true, input, repaired: coerceToSchema(input, schema) };
  }
  if (raw == null || (typeof raw === "string" && /^\s*(null)?\s*$/.test(raw))) return { ok: true, input: {}, repaired: raw !== "" && raw != null };
  if (typeof raw !== "string") return { ok: false, reason: `arguments of type ${typeof raw}` };

  let value: Json;
  let repaired = false;
  try {
    const text = extractJsonText(raw);
    const parsed = parseLoose(text);
    if (parsed.truncated && opts.truncatedResponse) return { ok: false, reason: "arguments cut off by max_tokens" };
    value = parsed.value;
    repaired = parsed.repaired || text !== raw.trim();
  } catch (e) {
    return { ok: false, reason: `unparseable arguments: ${(e as Error).message}` };
  }
  // Double-encoded: a JSON string holding the object.
  for (let depth = 0; typeof value === "string" && depth < 2; depth++) {
    try {
      value = parseLoose(extractJsonText(value)).value;
      repaired = true;
    } catch {
      break;
    }
  }
  if (!isObject(value)) {
    const props = isObject(schema?.properties) ? Object.keys(schema.properties as object) : [];
    if (props.length === 1 && value !== null) return { ok: true, input: { [props[0]!]: value }, repaired: true };
    if (value === null) return { ok: true, input: {}, repaired: true };
    return { ok: false, reason: `arguments are ${Array.isArray(value) ? "an array" : typeof value}, not an object` };
  }
  const input = value as Record<string, unknown>;
  if (coerceToSchema(input, schema)) repaired = true;
  if (opts.truncatedResponse) {
    const required = Array.isArray(schema?.required) ? (schema.required as string[]) : [];
    if (required.some((k) => !(k in input))) return { ok: false, reason: "required arguments missing after max_tokens" };
  }
  return { ok: true, input, repaired };
}
