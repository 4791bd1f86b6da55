// Reading /v1/messages bodies when Claude Code resends the same ~30 KB of tool schemas every turn:
// the last few distinct tool lists are remembered, and an unchanged one is neither decoded, parsed
// nor validated again. A remembered list is handed out frozen, which also lets translation reuse
// its work (translate/request-tools.ts). One per app: no state is shared between apps.
import { randomUUID } from "node:crypto";
import { type MessagesRequest, MessagesRequestSchema, type ToolParam } from "../protocol/anthropic.ts";
import { deepFreeze } from "../translate/request-tools.ts";
import { anthropicError } from "./errors.ts";
import { sameJson } from "./same-json.ts";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody, validate } from "./validate.ts";

interface Remembered {
  raw: unknown[];
  /** `"tools":` and the list as JSON.stringify writes it (which is how Claude Code sends it), in UTF-8. */
  bytes: Buffer;
  /** The same as text: its length in UTF-16 units. */
  chars: number;
  tools: ToolParam[];
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

const TOOLS_KEY = Buffer.from('"tools":[');
/** Stands in for a remembered list while the rest of a body is parsed; the nonce keeps any client text from being it. */
const SENTINEL = `\u0000anyclaude-tools-${randomUUID()}`;
const SENTINEL_ENTRY = `"tools":${JSON.stringify(SENTINEL)}`;
const SENTINEL_BYTES = Buffer.from(SENTINEL_ENTRY);
/** As Request.text() decodes: UTF-8, a leading BOM dropped, malformed bytes as U+FFFD. */
const utf8 = new TextDecoder();

export class RequestValidator {
  private known: Remembered[] = [];

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

  /** A parsed body: a remembered tool list costs a comparison instead of a valibot walk. */
  messages(body: unknown): MessagesRequest {
    const raw = (body as { tools?: unknown } | null)?.tools;
    if (!Array.isArray(raw) || raw.length === 0) return validate(MessagesRequestSchema, body);
    const at = this.known.findIndex((k) => sameJson(k.raw, raw));
    if (at >= 0) return this.withRemembered(body as object, at);
    const req = validate(MessagesRequestSchema, body);
    if (req.tools) {
      req.tools = deepFreeze(req.tools);
      const json = `"tools":${JSON.stringify(raw)}`;
      this.known.unshift({ raw, bytes: Buffer.from(json), chars: json.length, tools: req.tools });
      this.known.length = Math.min(this.known.length, this.keep);
    }
    return req;
  }

  /**
   * The bytes of a remembered list, found where the body's first `"tools":[` starts, are replaced
   * by the sentinel and only the rest decoded and parsed. Only when the parsed body's own `tools`
   * is the sentinel were those bytes the body's tool list (JSON.parse would have read the same list
   * there); anything else, such as the list quoted inside a message, a second `tools` key or text
   * that does not parse, falls back to reading the whole body. Both ends of the replaced bytes are
   * ASCII (`"` and `]`, `"` and `"`), where a UTF-8 decoder is between characters, so the rest
   * decodes to exactly the text of the whole body with the list's text replaced.
   */
  private readRemembered(buf: Buffer): ReadBody | undefined {
    if (!this.known.length) return undefined;
    const start = buf.indexOf(TOOLS_KEY);
    if (start < 0) return undefined;
    const at = this.known.findIndex((k) => start + k.bytes.length <= buf.length && buf.compare(k.bytes, 0, k.bytes.length, start, start + k.bytes.length) === 0);
    if (at < 0) return undefined;
    const hit = this.known[at]!;
    const rest = utf8.decode(Buffer.concat([buf.subarray(0, start), SENTINEL_BYTES, buf.subarray(start + hit.bytes.length)]));
    let body: unknown;
    try {
      body = JSON.parse(rest);
    } catch {
      return undefined;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body) || (body as { tools?: unknown }).tools !== SENTINEL) return undefined;
    // The list sits one level down, as it did in the body that passed this check when it was first read.
    if (jsonDepthExceeds(rest, MAX_JSON_DEPTH)) throw anthropicError("invalid_request_error", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    let text: string | undefined;
    return {
      body: { ...body, tools: hit.raw },
      request: this.withRemembered(body, at),
      chars: rest.length - SENTINEL_ENTRY.length + hit.chars,
      text: () => (text ??= utf8.decode(buf)),
    };
  }

  /** Same list, same verdict: the rest of the body is checked, then the remembered list put back. */
  private withRemembered(body: object, at: number): MessagesRequest {
    const hit = this.known[at]!;
    const req = validate(MessagesRequestSchema, { ...body, tools: [] });
    req.tools = hit.tools;
    if (at > 0) this.known.unshift(...this.known.splice(at, 1));
    return req;
  }
}
