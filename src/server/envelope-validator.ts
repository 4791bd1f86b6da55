// A request's fields besides its messages (model, max_tokens, thinking, metadata, and what stands in
// for a remembered system prompt and tool list) are validated once per envelope: Claude Code resends
// them unchanged turn after turn, and valibot's walk of the whole request object cost ~40 µs of a
// request in a fresh proxy, before the upstream POST. valibot's output depends only on its input, so
// a body whose envelope equals one validated before (sameJson, key order included) gets that output
// with only its messages checked. Anything that fails is validated in full, so every error is the
// slow path's own.
import * as v from "valibot";
import { type MessagesRequest, MessagesRequestSchema } from "../protocol/anthropic.ts";
import { deepFreeze } from "../translate/deep-freeze.ts";
import { sameJson } from "../translate/same-json.ts";
import { validate } from "./validate.ts";

const MESSAGES = MessagesRequestSchema.entries.messages;

/** An envelope as read (the body's other fields, in order) and the request valibot made of it, both frozen. */
interface Envelope {
  input: Record<string, unknown>;
  /** Its `messages` is an empty stand-in that keeps the key's place. */
  output: MessagesRequest;
}

/** Whether two bodies have the same fields besides `messages`, in the same order, with equal values. */
function sameEnvelope(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b).filter((k) => k !== "messages");
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || !sameJson(a[ka[i]!], b[kb[i]!])) return false;
  return true;
}

export class EnvelopeValidator {
  /** The most recent first: a main conversation and Claude Code's side requests alternate. */
  private recent: Envelope[] = [];

  constructor(private readonly keep = 4) {}

  /** validate(MessagesRequestSchema, body): the same request, or the same error. Its fields besides `messages` are frozen. */
  validate(body: Record<string, unknown>, messagesOffset = 0): MessagesRequest {
    const at = this.recent.findIndex((e) => sameEnvelope(e.input, body));
    if (at >= 0) {
      const messages = v.safeParse(MESSAGES, body.messages);
      if (messages.success) {
        const known = this.recent[at]!;
        if (at > 0) this.recent.unshift(...this.recent.splice(at, 1));
        return { ...known.output, messages: messages.output };
      }
    }
    const request = validate(MessagesRequestSchema, body, messagesOffset);
    this.remember(body, request);
    return request;
  }

  private remember(body: Record<string, unknown>, request: MessagesRequest): void {
    // fromEntries defines a "__proto__" key as JSON.parse does, instead of setting a prototype.
    const input = Object.fromEntries(Object.entries(body).filter(([k]) => k !== "messages"));
    for (const value of Object.values(input)) deepFreeze(value);
    for (const [k, value] of Object.entries(request)) if (k !== "messages") deepFreeze(value);
    this.recent.unshift({ input, output: { ...request, messages: [] } });
    this.recent.length = Math.min(this.recent.length, this.keep);
  }
}
