// Reading /v1/messages bodies when Claude Code resends the same system prompt (~7 KB) and tool
// schemas (~30 KB) every turn: the last few distinct lists of each are remembered, and an
// unchanged one is neither decoded, parsed nor validated again. A remembered list is handed out
// frozen, which also lets translation reuse its work (translate/request-tools.ts,
// translate/system-message.ts). One per app: no state is shared between apps.
import { randomUUID } from "node:crypto";
import { type MessagesRequest, MessagesRequestSchema } from "../protocol/anthropic.ts";
import { deepFreeze } from "../translate/request-tools.ts";
import { anthropicError } from "./errors.ts";
import { sameJson } from "./same-json.ts";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody, validate } from "./validate.ts";

/** The request fields Claude Code resends unchanged, turn after turn. */
type Field = "system" | "tools";
const FIELDS: readonly Field[] = ["system", "tools"];

interface Remembered {
  raw: unknown[];
  /** `"<field>":` and the list as JSON.stringify writes it (which is how Claude Code sends it), in UTF-8. */
  bytes: Buffer;
  /** The same as text: its length in UTF-16 units. */
  chars: number;
  /** The list as validated, deep-frozen. */
  value: readonly unknown[];
}

/** A body read: the parsed JSON (for its field names), the validated request, and the body as text. */
export interface ReadBody {
  body: object;
  request: MessagesRequest;
  /** The body's length as text (what `text().length` is), without decoding it. */
  chars: number;
  /** The body as text, as Request.text() gives it; decoded on first use. */
  text(): string;
}

const NONCE = randomUUID();
const KEYS = { system: Buffer.from('"system":['), tools: Buffer.from('"tools":[') };
/** Stand in for remembered lists while the rest of a body is parsed; the nonce keeps any client text from being one. */
const SENTINELS = { system: `\u0000anyclaude-system-${NONCE}`, tools: `\u0000anyclaude-tools-${NONCE}` };
const ENTRIES = { system: `"system":${JSON.stringify(SENTINELS.system)}`, tools: `"tools":${JSON.stringify(SENTINELS.tools)}` };
const ENTRY_BYTES = { system: Buffer.from(ENTRIES.system), tools: Buffer.from(ENTRIES.tools) };
/** As Request.text() decodes: UTF-8, a leading BOM dropped, malformed bytes as U+FFFD. */
const utf8 = new TextDecoder();

interface Hit {
  field: Field;
  /** Index in `known[field]`. */
  at: number;
  start: number;
  end: number;
}

export class RequestValidator {
  private known: Record<Field, Remembered[]> = { system: [], tools: [] };

  constructor(private readonly keep = 4) {}

  /** Parses and validates a body as received. */
  read(bytes: Uint8Array): ReadBody {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fast = this.readRemembered(buf);
    if (fast) return fast;
    const text = utf8.decode(buf);
    const body = parseJsonBody(text);
    return { body: body as object, request: this.messages(body), chars: text.length, text: () => text };
  }

  /** A parsed body: a remembered list costs a comparison instead of a valibot walk. */
  messages(body: unknown): MessagesRequest {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return validate(MessagesRequestSchema, body);
    const fields = body as Record<string, unknown>;
    const hits: Hit[] = [];
    for (const field of FIELDS) {
      const raw = fields[field];
      const at = Array.isArray(raw) && raw.length ? this.known[field].findIndex((k) => sameJson(k.raw, raw)) : -1;
      if (at >= 0) hits.push({ field, at, start: 0, end: 0 });
    }
    const req = this.withRemembered(body, hits);
    for (const field of FIELDS) if (!hits.some((h) => h.field === field)) this.remember(field, fields[field], req);
    return req;
  }

  /** A list read in full and found valid is frozen and remembered, the most recent first. */
  private remember(field: Field, raw: unknown, req: MessagesRequest): void {
    const value = req[field];
    if (!Array.isArray(raw) || raw.length === 0 || !Array.isArray(value)) return;
    req[field] = deepFreeze(value) as never;
    const json = `"${field}":${JSON.stringify(raw)}`;
    const list = this.known[field];
    list.unshift({ raw, bytes: Buffer.from(json), chars: json.length, value: req[field] as readonly unknown[] });
    list.length = Math.min(list.length, this.keep);
  }

  /**
   * The bytes of a remembered list, found where the body's first `"system":[` or `"tools":[`
   * starts, are replaced by its sentinel and only the rest decoded and parsed. Only when the parsed
   * body's own field is the sentinel were those bytes the body's list (JSON.parse would have read
   * the same list there); anything else, such as the list quoted inside a message, a second key or
   * text that does not parse, falls back to reading the whole body. Both ends of the replaced bytes
   * are ASCII (`"` and `]`, `"` and `"`), where a UTF-8 decoder is between characters, so the rest
   * decodes to exactly the text of the whole body with the lists' text replaced.
   */
  private readRemembered(buf: Buffer): ReadBody | undefined {
    const hits: Hit[] = [];
    for (const field of FIELDS) {
      const list = this.known[field];
      const start = list.length ? buf.indexOf(KEYS[field]) : -1;
      if (start < 0) continue;
      const at = list.findIndex((k) => start + k.bytes.length <= buf.length && buf.compare(k.bytes, 0, k.bytes.length, start, start + k.bytes.length) === 0);
      if (at >= 0) hits.push({ field, at, start, end: start + list[at]!.bytes.length });
    }
    if (!hits.length) return undefined;
    // One found inside the other (a key quoted in a list) leaves the two sentinels side by side,
    // `"…""…`, which does not parse: the whole body is read instead.
    hits.sort((a, b) => a.start - b.start);
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const h of hits) {
      pieces.push(buf.subarray(from, h.start), ENTRY_BYTES[h.field]);
      from = h.end;
    }
    pieces.push(buf.subarray(from));
    const rest = utf8.decode(Buffer.concat(pieces));
    let body: unknown;
    try {
      body = JSON.parse(rest);
    } catch {
      return undefined;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
    if (hits.some((h) => (body as Record<string, unknown>)[h.field] !== SENTINELS[h.field])) return undefined;
    // The lists sit one level down, as they did in the bodies that passed this check when first read.
    if (jsonDepthExceeds(rest, MAX_JSON_DEPTH)) throw anthropicError("invalid_request_error", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    const full: Record<string, unknown> = { ...body };
    let chars = rest.length;
    for (const h of hits) {
      const k = this.known[h.field][h.at]!;
      full[h.field] = k.raw;
      chars += k.chars - ENTRIES[h.field].length;
    }
    let text: string | undefined;
    return { body: full, request: this.withRemembered(body, hits), chars, text: () => (text ??= utf8.decode(buf)) };
  }

  /** Same lists, same verdict: the rest of the body is checked, then the remembered lists put back. */
  private withRemembered(body: object, hits: readonly Hit[]): MessagesRequest {
    if (!hits.length) return validate(MessagesRequestSchema, body);
    const placeholders: Record<string, unknown[]> = {};
    for (const h of hits) placeholders[h.field] = [];
    const req = validate(MessagesRequestSchema, { ...body, ...placeholders });
    for (const h of hits) {
      const list = this.known[h.field];
      req[h.field] = list[h.at]!.value as never;
      if (h.at > 0) list.unshift(...list.splice(h.at, 1));
    }
    return req;
  }
}
