// The envelope (a request's fields besides its messages) is validated once: a body whose envelope
// equals one validated before gets that output with only its messages checked. Held to the slow path:
// every body of a sequence, taken through one EnvelopeValidator, gives what validate() gives it alone.
// Bodies: Claude Code's captured requests (test/fixtures/claude-code), changed as later turns and bad
// clients change them.
import { describe, expect, test } from "bun:test";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { EnvelopeValidator } from "../../src/server/envelope-validator.ts";
import { validate } from "../../src/server/validate.ts";
import { loadFixture } from "../helpers/fixtures.ts";

type Body = Record<string, unknown>;
type Captured = Body & { messages: unknown[] };
const hello = (): Captured => loadFixture("print-mode-hello").body;
const toolTurn = (): Captured => loadFixture("print-mode-bash-tool-result").body;
const withChange = (change: (b: Body) => void) => () => {
  const b = hello();
  change(b);
  return b;
};

/** The slow path's answer: the request, or the error's message. */
function slow(body: Body): unknown {
  try {
    return validate(MessagesRequestSchema, body);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function memo(envelopes: EnvelopeValidator, body: Body): unknown {
  try {
    return envelopes.validate(body);
  } catch (e) {
    return { error: (e as Error).message };
  }
}

// Each sequence starts with a valid body, so the ones after it meet a remembered envelope.
const sequences: [string, (() => Body)[]][] = [
  ["the same body again", [hello, hello]],
  ["a later turn: more messages, the same envelope", [hello, toolTurn, hello]],
  ["a bad message after a good envelope", [hello, withChange((b) => ((b.messages as Body[])[1]!.role = "robot"))]],
  ["a message's content of the wrong type", [hello, withChange((b) => ((b.messages as Body[])[0]!.content = 7))]],
  ["no messages", [hello, withChange((b) => (b.messages = []))]],
  ["messages missing", [hello, withChange((b) => delete b.messages)]],
  ["messages not a list", [hello, withChange((b) => (b.messages = { role: "user" }))]],
  ["a bad model and a bad message: the slow path's first error", [hello, withChange((b) => ((b.model = ""), ((b.messages as Body[])[0]!.role = "x")))]],
  ["a nested field changed", [hello, withChange((b) => ((b.thinking as Body).type = "enabled")), hello]],
  ["a nested field made invalid", [hello, withChange((b) => (b.thinking = { type: "enabled", budget_tokens: 1.5 }))]],
  ["max_tokens changed", [hello, withChange((b) => (b.max_tokens = 7)), hello]],
  ["a field added", [hello, withChange((b) => (b.temperature = 0.5))]],
  ["a field dropped", [hello, withChange((b) => delete b.metadata)]],
  ["the same fields in another order", [hello, withChange((b) => {
    const model = b.model;
    delete b.model;
    b.model = model;
  })]],
  ["messages moved among the fields", [hello, withChange((b) => {
    const messages = b.messages;
    delete b.messages;
    b.messages = messages;
  }), hello]],
  ["unknown fields in another order", [withChange((b) => (b.service_tier_x = "a")), withChange((b) => {
    const cm = b.context_management;
    delete b.context_management;
    b.service_tier_x = "a";
    b.context_management = cm;
  })]],
  ["an unknown field changed", [hello, withChange((b) => ((b.context_management as { edits: Body[] }).edits[0]!.keep = "none"))]],
  ["a __proto__ key, as JSON.parse makes one", [() => JSON.parse(JSON.stringify(hello()).replace('"model":', '"__proto__":{"x":1},"model":')), () => JSON.parse(JSON.stringify(hello()).replace('"model":', '"__proto__":{"x":1},"model":')), hello]],
  ["five envelopes, the first again", [hello, ...[1, 2, 3, 4].map((n) => withChange((b) => (b.max_tokens = n))), hello]],
];

describe("EnvelopeValidator: the same answers as validate()", () => {
  for (const [name, bodies] of sequences)
    test(name, () => {
      const envelopes = new EnvelopeValidator();
      for (const make of bodies) {
        const [got, want] = [memo(envelopes, make()), slow(make())];
        expect(got).toEqual(want);
        expect(JSON.stringify(got)).toBe(JSON.stringify(want)); // key order too: it is sent on
      }
    });
});

describe("EnvelopeValidator: what is reused", () => {
  test("an equal envelope is not validated again: its fields are the very objects of before, frozen", () => {
    const envelopes = new EnvelopeValidator();
    const first = envelopes.validate(hello());
    const later = envelopes.validate(toolTurn());
    expect(later.thinking).toBe(first.thinking!);
    expect(later.metadata).toBe(first.metadata!);
    expect(Object.isFrozen(later.thinking)).toBe(true);
    expect(later.messages).toHaveLength(toolTurn().messages.length);
  });

  test("each request is an object of its own: setting a field on one leaves the next alone", () => {
    const envelopes = new EnvelopeValidator();
    const first = envelopes.validate(hello());
    first.max_tokens = 1;
    first.messages = [];
    const second = envelopes.validate(hello());
    expect(second.max_tokens).toBe(128000);
    expect(second.messages).toHaveLength(hello().messages.length);
  });

  test("a changed envelope is validated again", () => {
    const envelopes = new EnvelopeValidator();
    const first = envelopes.validate(hello());
    const changed = envelopes.validate(withChange((b) => ((b.thinking as Body).display = "full"))());
    expect(changed.thinking).not.toBe(first.thinking!);
  });
});
