// Reading /v1/messages bodies when Claude Code resends, turn after turn, the same system prompt
// (~7 KB), tool schemas (~30 KB) and conversation so far: what was read before is remembered, and
// an unchanged system or tool list, or the unchanged first messages of a conversation, are
// neither decoded, parsed nor validated again. What is remembered is handed out frozen, which also
// lets translation reuse its work (translate/request-tools.ts, translate/system-message.ts).
// One per app: no state is shared between apps.
import { randomUUID } from "node:crypto";
import { type MessageParam, type MessagesRequest, MessagesRequestSchema } from "../protocol/anthropic.ts";
import { deepFreeze } from "../translate/deep-freeze.ts";
import { EnvelopeValidator } from "./envelope-validator.ts";
import { type MessageRun, runAt, runLength, wholeAt } from "./message-run.ts";
import { anthropicError } from "./errors.ts";
import { sameJson } from "../translate/same-json.ts";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody, validate } from "./validate.ts";

/** The request fields Claude Code resends unchanged, turn after turn. */
type Field = "system" | "tools";
const FIELDS: readonly Field[] = ["system", "tools"];

/** A value as read before: its bytes as JSON.stringify writes them (which is how Claude Code sends them). */
interface Remembered<T> {
  raw: T;
  /** In UTF-8; for a list, after its key (`"tools":[...]`). */
  bytes: Buffer;
  /** The same as text: its length in UTF-16 units. */
  chars: number;
}

/** A list as read before, and as validated, deep-frozen. */
interface RememberedList extends Remembered<unknown[]> {
  value: readonly unknown[];
}

/** One message of a conversation as read before, and as validated, deep-frozen. */
interface RememberedMessage extends Remembered<unknown> {
  value: MessageParam;
}

/** A conversation's messages as read before, and those of its first that the last body held as one run. */
interface Conversation {
  messages: RememberedMessage[];
  run: MessageRun | undefined;
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
const FIELD_KEYS = { system: Buffer.from('"system":['), tools: Buffer.from('"tools":[') };
const MESSAGES_KEY = Buffer.from('"messages":[');
/** Stand in for what is remembered while the rest of a body is parsed; the nonce keeps any client text from being one. */
const SENTINELS = { system: `\u0000anyclaude-system-${NONCE}`, tools: `\u0000anyclaude-tools-${NONCE}`, messages: `\u0000anyclaude-messages-${NONCE}` };
const STAND_INS = {
  system: `"system":${JSON.stringify(SENTINELS.system)}`,
  tools: `"tools":${JSON.stringify(SENTINELS.tools)}`,
  messages: JSON.stringify(SENTINELS.messages),
};
const STAND_IN_BYTES = { system: Buffer.from(STAND_INS.system), tools: Buffer.from(STAND_INS.tools), messages: Buffer.from(STAND_INS.messages) };
/** Validates in place of a conversation's remembered messages (later messages' errors are named by their place in the body). */
const VALID_MESSAGE = Object.freeze({ role: "user", content: "" });
/** As Request.text() decodes: UTF-8, a leading BOM dropped, malformed bytes as U+FFFD. */
const utf8 = new TextDecoder();
const CLOSE = 0x5d;

/** Bytes of a body replaced by a stand-in before it is parsed. */
interface Splice {
  start: number;
  end: number;
  standIn: keyof typeof STAND_INS;
  /** The length as text of the replaced bytes. */
  chars: number;
}

interface FieldHit extends Splice {
  field: Field;
  /** Index in `lists[field]`. */
  at: number;
}

interface PrefixHit extends Splice {
  /** Index in `conversations`. */
  at: number;
  /** How many of its first messages the body repeats. */
  count: number;
}

function remembered<T>(raw: T): Remembered<T> {
  const json = JSON.stringify(raw);
  return { raw, bytes: Buffer.from(json), chars: json.length };
}

/**
 * The remembered messages as `pick` gives each, then `list`'s from its second on (its first stood
 * in for them): built in place, where a map and a spread cost several times more under Node 20.
 */
function inPlaceOfFirst<T>(remembered: readonly RememberedMessage[], pick: (m: RememberedMessage) => T, list: readonly T[]): T[] {
  const out = new Array<T>(remembered.length + list.length - 1);
  for (let i = 0; i < remembered.length; i++) out[i] = pick(remembered[i]!);
  for (let i = 1; i < list.length; i++) out[remembered.length + i - 1] = list[i]!;
  return out;
}

const bytesAt = (buf: Buffer, bytes: Buffer, at: number) => at + bytes.length <= buf.length && buf.compare(bytes, 0, bytes.length, at, at + bytes.length) === 0;

export class RequestValidator {
  private lists: Record<Field, RememberedList[]> = { system: [], tools: [] };
  private conversations: Conversation[] = [];
  private readonly envelopes: EnvelopeValidator;

  constructor(private readonly keep = 4) {
    this.envelopes = new EnvelopeValidator(keep);
  }

  /** Parses and validates a body as received. */
  read(bytes: Uint8Array): ReadBody {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const fast = this.readRemembered(buf);
    if (fast) return fast;
    const text = utf8.decode(buf);
    const body = parseJsonBody(text);
    const request = this.messages(body);
    this.rememberNewConversation(buf, (body as { messages: unknown[] }).messages, request);
    return { body: body as object, request, chars: text.length, text: () => text };
  }

  /** A parsed body: a remembered list costs a comparison instead of a valibot walk. */
  messages(body: unknown): MessagesRequest {
    if (typeof body !== "object" || body === null || Array.isArray(body)) return validate(MessagesRequestSchema, body);
    const fields = body as Record<string, unknown>;
    const hits: FieldHit[] = [];
    for (const field of FIELDS) {
      const raw = fields[field];
      const at = Array.isArray(raw) && raw.length ? this.lists[field].findIndex((k) => sameJson(k.raw, raw)) : -1;
      if (at >= 0) hits.push({ field, at, start: 0, end: 0, standIn: field, chars: 0 });
    }
    const req = this.withRemembered(body, hits);
    for (const field of FIELDS) if (!hits.some((h) => h.field === field)) this.rememberList(field, fields[field], req);
    return req;
  }

  /**
   * The bytes of what is remembered are replaced by stand-ins and only the rest decoded and
   * parsed: the first messages of a conversation found where the body's first `"messages":[`
   * starts, and a list found where the first `"system":[` or `"tools":[` after them starts. Only when the
   * parsed body holds each stand-in where it was put (its own `system` or `tools`, the first of its
   * own `messages`) were those bytes the body's (JSON.parse would have read the same there);
   * anything else, such as a list quoted inside a message, a second key or text that does not
   * parse, falls back to reading the whole body. Stand-ins begin and end with `"`, so two found one
   * inside the other leave `""`, which does not parse. Both ends of replaced bytes are ASCII (`"`
   * and `]` of a list, `{` and `}` of messages), where a UTF-8 decoder is between characters, so
   * the rest decodes to exactly the text of the whole body with the replaced text's stand-ins.
   */
  private readRemembered(buf: Buffer): ReadBody | undefined {
    const prefix = this.findPrefix(buf);
    // After the remembered messages: Claude Code sends its system and tools after the conversation,
    // and a scan of the whole body for each key costs ~100 us per 200 KB under Node.
    const fieldHits = this.findLists(buf, prefix ? prefix.end : 0);
    const splices: Splice[] = prefix ? [...fieldHits, prefix] : fieldHits;
    if (!splices.length) return undefined;
    splices.sort((a, b) => a.start - b.start);
    const pieces: Uint8Array[] = [];
    let from = 0;
    let chars = 0;
    for (const s of splices) {
      pieces.push(buf.subarray(from, s.start), STAND_IN_BYTES[s.standIn]);
      from = s.end;
      chars += s.chars - STAND_INS[s.standIn].length;
    }
    pieces.push(buf.subarray(from));
    const rest = utf8.decode(Buffer.concat(pieces));
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(rest);
    } catch {
      return undefined;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
    if (fieldHits.some((h) => body[h.field] !== SENTINELS[h.field])) return undefined;
    const messages = body.messages;
    if (prefix && !(Array.isArray(messages) && messages[0] === SENTINELS.messages)) return undefined;
    // What is remembered sits where it did in the body that passed this check when first read.
    if (jsonDepthExceeds(rest, MAX_JSON_DEPTH)) throw anthropicError("invalid_request_error", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);

    const full: Record<string, unknown> = { ...body };
    for (const h of fieldHits) full[h.field] = this.lists[h.field][h.at]!.raw;
    const conversation = prefix ? this.conversations[prefix.at]!.messages.slice(0, prefix.count) : undefined;
    if (conversation) full.messages = inPlaceOfFirst(conversation, (m) => m.raw, messages as unknown[]);
    // Remembered messages are checked as one valid stand-in, then put back.
    const checked = conversation ? { ...body, messages: [VALID_MESSAGE, ...(messages as unknown[]).slice(1)] } : body;
    const request = this.withRemembered(checked, fieldHits, conversation ? conversation.length - 1 : 0);
    if (conversation) {
      request.messages = inPlaceOfFirst(conversation, (m) => m.value, request.messages);
      this.rememberConversation(full.messages as unknown[], request, conversation.length, prefix!.at, buf, prefix!.start);
    } else this.rememberNewConversation(buf, full.messages as unknown[], request);
    let text: string | undefined;
    return { body: full, request, chars: rest.length + chars, text: () => (text ??= utf8.decode(buf)) };
  }

  private findLists(buf: Buffer, from: number): FieldHit[] {
    const hits: FieldHit[] = [];
    for (const field of FIELDS) {
      const list = this.lists[field];
      let start = list.length ? buf.indexOf(FIELD_KEYS[field], from) : -1;
      if (start < 0 && from > 0 && list.length) start = buf.indexOf(FIELD_KEYS[field]);
      if (start < 0) continue;
      const at = list.findIndex((k) => bytesAt(buf, k.bytes, start));
      if (at >= 0) hits.push({ field, at, start, end: start + list[at]!.bytes.length, standIn: field, chars: list[at]!.chars });
    }
    return hits;
  }

  /** The longest run of a remembered conversation's first messages that the body's messages start with. */
  private findPrefix(buf: Buffer): PrefixHit | undefined {
    const key = this.conversations.length ? buf.indexOf(MESSAGES_KEY) : -1;
    if (key < 0) return undefined;
    const start = key + MESSAGES_KEY.length;
    for (let at = 0; at < this.conversations.length; at++) {
      const { messages, run } = this.conversations[at]!;
      // Those of the last body's run at once, then one by one.
      let count = run ? runLength(buf, run, start) : 0;
      let pos = count ? start + run!.ends[count - 1]! + 1 : start;
      let chars = count ? count - 1 : 0;
      for (let i = 0; i < count; i++) chars += messages[i]!.chars;
      if (!count || buf[pos - 1] !== CLOSE)
        for (let i = count; i < messages.length; i++) {
          const m = messages[i]!;
          if (!wholeAt(buf, pos, m.bytes)) break;
          chars += (count ? 1 : 0) + m.chars;
          count++;
          pos += m.bytes.length + 1;
          if (buf[pos - 1] === CLOSE) break;
        }
      if (count) return { at, count, start, end: pos - 1, standIn: "messages", chars };
    }
    return undefined;
  }

  /** A list read in full and found valid is frozen and remembered, the most recent first. */
  private rememberList(field: Field, raw: unknown, req: MessagesRequest): void {
    const value = req[field];
    if (!Array.isArray(raw) || raw.length === 0 || !Array.isArray(value)) return;
    req[field] = deepFreeze(value) as never;
    const json = `"${field}":${JSON.stringify(raw)}`;
    const list = this.lists[field];
    list.unshift({ raw, bytes: Buffer.from(json), chars: json.length, value: req[field] as readonly unknown[] });
    list.length = Math.min(list.length, this.keep);
  }

  /**
   * A conversation not seen before is remembered only when its first message is in the body as
   * JSON.stringify writes it (as Claude Code sends it): another client's bytes would never match,
   * and remembering costs a JSON.stringify of every message.
   */
  private rememberNewConversation(buf: Buffer, raw: unknown[], req: MessagesRequest): void {
    const key = buf.indexOf(MESSAGES_KEY);
    const start = key + MESSAGES_KEY.length;
    if (key >= 0 && bytesAt(buf, Buffer.from(JSON.stringify(raw[0]) ?? ""), start)) this.rememberConversation(raw, req, 0, undefined, buf, start);
  }

  /**
   * The messages of a valid request are remembered as a conversation, the most recent first: the
   * first `kept` of conversation `at` as they were (found at `start` of `buf`), the others frozen as
   * validated now; with the run of them that `buf` holds.
   */
  private rememberConversation(raw: unknown[], req: MessagesRequest, kept: number, at: number | undefined, buf: Buffer, start: number): void {
    const before = at === undefined ? undefined : this.conversations.splice(at, 1)[0]!;
    const old = before ? before.messages.slice(0, kept) : [];
    for (let i = kept; i < raw.length; i++) {
      const value = deepFreeze(req.messages[i]!);
      req.messages[i] = value;
      old.push({ ...remembered(raw[i]), value });
    }
    this.conversations.unshift({ messages: old, run: runAt(buf, start, old, kept, before?.run) });
    this.conversations.length = Math.min(this.conversations.length, this.keep);
  }

  /** Same lists, same verdict: the rest of the body is checked, then the remembered lists put back. */
  private withRemembered(body: object, hits: readonly FieldHit[], messagesOffset = 0): MessagesRequest {
    if (!hits.length) return this.envelopes.validate(body as Record<string, unknown>, messagesOffset);
    const placeholders: Record<string, unknown[]> = {};
    for (const h of hits) placeholders[h.field] = [];
    const req = this.envelopes.validate({ ...body, ...placeholders }, messagesOffset);
    for (const h of hits) {
      const list = this.lists[h.field];
      req[h.field] = list[h.at]!.value as never;
      if (h.at > 0) list.unshift(...list.splice(h.at, 1));
    }
    return req;
  }
}
