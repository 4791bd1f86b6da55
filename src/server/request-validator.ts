// Reading /v1/messages bodies when Claude Code resends the same ~30 KB of tool schemas every turn:
// the last few distinct tool lists are remembered, and an unchanged one is neither parsed nor
// validated again. A remembered list is handed out frozen, which also lets translation reuse its
// work (translate/request-tools.ts). One per app: no state is shared between apps.
import { randomUUID } from "node:crypto";
import { type MessagesRequest, MessagesRequestSchema, type ToolParam } from "../protocol/anthropic.ts";
import { deepFreeze } from "../translate/request-tools.ts";
import { anthropicError } from "./errors.ts";
import { sameJson } from "./same-json.ts";
import { jsonDepthExceeds, MAX_JSON_DEPTH, parseJsonBody, validate } from "./validate.ts";

interface Remembered {
  raw: unknown[];
  /** `"tools":` and the list as JSON.stringify writes it, which is how Claude Code sends it. */
  json: string;
  tools: ToolParam[];
}

const TOOLS_KEY = '"tools":[';
/** Stands in for a remembered list while the rest of a body is parsed; the nonce keeps any client text from being it. */
const SENTINEL = `\u0000anyclaude-tools-${randomUUID()}`;

export class RequestValidator {
  private known: Remembered[] = [];

  constructor(private readonly keep = 4) {}

  /** Parses and validates a body; `body` is the parsed JSON (for its field names). */
  read(text: string): { body: object; request: MessagesRequest } {
    const fast = this.readRemembered(text);
    if (fast) return fast;
    const body = parseJsonBody(text);
    return { body: body as object, request: this.messages(body) };
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
      this.known.unshift({ raw, json: `"tools":${JSON.stringify(raw)}`, tools: req.tools });
      this.known.length = Math.min(this.known.length, this.keep);
    }
    return req;
  }

  /**
   * The text of a remembered list, found where the body's first `"tools":[` starts, is replaced by
   * the sentinel and the rest parsed. Only when the parsed body's own `tools` is the sentinel was
   * that text the body's tool list (JSON.parse would have read the same list there); anything else,
   * such as the list quoted inside a message, a second `tools` key or text that does not parse,
   * falls back to reading the whole body.
   */
  private readRemembered(text: string): { body: object; request: MessagesRequest } | undefined {
    if (!this.known.length) return undefined;
    const start = text.indexOf(TOOLS_KEY);
    if (start < 0) return undefined;
    const at = this.known.findIndex((k) => text.startsWith(k.json, start));
    if (at < 0) return undefined;
    const hit = this.known[at]!;
    const rest = `${text.slice(0, start)}"tools":${JSON.stringify(SENTINEL)}${text.slice(start + hit.json.length)}`;
    let body: unknown;
    try {
      body = JSON.parse(rest);
    } catch {
      return undefined;
    }
    if (typeof body !== "object" || body === null || Array.isArray(body) || (body as { tools?: unknown }).tools !== SENTINEL) return undefined;
    // The list sits one level down, as it did in the body that passed this check when it was first read.
    if (jsonDepthExceeds(rest, MAX_JSON_DEPTH)) throw anthropicError("invalid_request_error", `request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    return { body: { ...body, tools: hit.raw }, request: this.withRemembered(body, at) };
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
