// An unchanged system prompt costs a comparison, as an unchanged tool list does (request-cache.test.ts):
// the validator hands out the list it checked before, its message and that message's JSON are
// made once, and nothing sent upstream changes. A list that differs in one byte is a new list.
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { DEFAULT_PROFILE } from "../../src/translate/profile.ts";
import { chatRequestBytes, translateRequest } from "../../src/translate/request.ts";
import { systemMessage } from "../../src/translate/system-message.ts";
import { loadFixture } from "../helpers/fixtures.ts";

/** The upstream body as text. */
const bodyJson = (request: Parameters<typeof chatRequestBytes>[0]) => new TextDecoder().decode(chatRequestBytes(request).bytes);

type Block = { type: "text"; text: string; cache_control?: { type: string } };
const fresh = (name = "print-mode-hello") => loadFixture(name).body as Record<string, unknown> & { system: Block[]; messages: unknown[] };
const utf8 = (t: string) => new TextEncoder().encode(t);
const profiles = [DEFAULT_PROFILE, { ...DEFAULT_PROFILE, keepCacheControl: true }];
/** What reading and translating the whole body with nothing remembered gives: the reference. */
const reference = (t: string) => v.parse(MessagesRequestSchema, JSON.parse(t));

describe("a system prompt that differs in one byte is read, translated and sent as a new one", () => {
  const edits: [string, (s: Block[]) => void][] = [
    ["a letter deep in the long block", (s) => (s[2]!.text = s[2]!.text.replace("agent", "agenT"))],
    ["the billing line", (s) => (s[0]!.text = s[0]!.text.replace(".ccf", ".ccg"))],
    ["cache_control's type", (s) => (s[1]!.cache_control = { type: "ephemeraL" })],
    ["cache_control dropped", (s) => delete s[1]!.cache_control],
    ["two blocks swapped", (s) => s.splice(1, 2, s[2]!, s[1]!)],
    ["one more block", (s) => s.push({ type: "text", text: "more" })],
    ["a key's place in a block", (s) => (s[1] = { text: s[1]!.text, type: "text", cache_control: s[1]!.cache_control! })],
  ];
  for (const [name, edit] of edits)
    for (const via of ["read", "messages"] as const)
      test(`${name} (${via})`, () => {
        const validator = new RequestValidator();
        const first = via === "read" ? validator.read(utf8(JSON.stringify(fresh()))).request : validator.messages(fresh());
        expect(Object.isFrozen(first.system)).toBe(true);
        const body = fresh();
        edit(body.system);
        const t = JSON.stringify(body);
        const second = via === "read" ? validator.read(utf8(t)).request : validator.messages(JSON.parse(t));
        expect(second.system).not.toBe(first.system!);
        expect(second.tools).toBe(first.tools!); // the tool list is still the remembered one
        expect(second).toEqual(reference(t));
        for (const profile of profiles) {
          const opts = { model: "m", profile };
          expect(bodyJson(translateRequest(second, opts).request)).toBe(JSON.stringify(translateRequest(reference(t), opts).request));
        }
      });
});

describe("an unchanged system prompt", () => {
  test("is the very list validated before, frozen, with the same message and byte-identical JSON", () => {
    const validator = new RequestValidator();
    const first = validator.read(utf8(JSON.stringify(fresh()))).request;
    const t = JSON.stringify(fresh("print-mode-bash-tool-result")); // the next turn of the same session
    const read = validator.read(utf8(t));
    expect(read.request.system).toBe(first.system!);
    expect(read.request).toEqual(reference(t));
    expect(read.body).toEqual(JSON.parse(t));
    expect(read.chars).toBe(t.length);
    for (const profile of profiles) {
      const opts = { model: "m", profile };
      const a = translateRequest(first, opts).request;
      const b = translateRequest(read.request, opts).request;
      expect(b.messages[0]).toBe(a.messages[0]!);
      expect(Object.isFrozen(b.messages[0])).toBe(true);
      expect(bodyJson(b)).toBe(JSON.stringify(translateRequest(reference(t), opts).request));
    }
  });

  const system = fresh().system;
  const tools = fresh().tools as unknown[];
  const cases: [string, object][] = [
    ["a system prompt as a string", { ...fresh(), system: "Be brief." }],
    ["no system prompt", { model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools }],
    ["an empty list", { ...fresh(), system: [] }],
    ["the same list quoted in a message before the body's own", { ...fresh(), messages: [{ role: "user", content: [{ type: "text", text: "hi", quoted: { system } }] }] }],
    ["the tool list quoted inside a system block", { ...fresh(), system: [...system, { type: "text", text: "x", quoted: { tools } }] }],
    ["the system list, then a second system key that JSON.parse keeps", { ...fresh(), system, tools, other: 1 }],
    ["only the billing line", { ...fresh(), system: [system[0]] }],
  ];
  for (const [name, body] of cases)
    test(`${name}: as a full read`, () => {
      let t = JSON.stringify(body);
      if (name.includes("second system key")) t = `${t.slice(0, -1)},"system":[{"type":"text","text":"Other"}]}`;
      const validator = new RequestValidator();
      validator.read(utf8(JSON.stringify(fresh()))); // remembers the list
      validator.read(utf8(JSON.stringify({ ...fresh(), system: [...system, { type: "text", text: "x", quoted: { tools } }] })));
      const read = validator.read(utf8(t));
      expect(read.request).toEqual(reference(t));
      expect(read.body).toEqual(JSON.parse(t));
      expect(read.chars).toBe(t.length);
      for (const profile of profiles) {
        const opts = { model: "m", profile };
        expect(bodyJson(translateRequest(read.request, opts).request)).toBe(JSON.stringify(translateRequest(reference(t), opts).request));
      }
    });
});

describe("systemMessage", () => {
  const frozen = new RequestValidator().messages(fresh()).system!;

  test("one message per frozen list and per form, equal to a fresh one", () => {
    for (const keep of [false, true]) {
      const m = systemMessage(frozen, keep);
      expect(systemMessage(frozen, keep)).toBe(m);
      expect(Object.isFrozen(m)).toBe(true);
      expect(m).toEqual(systemMessage(structuredClone(frozen), keep));
    }
    expect(systemMessage(frozen, true)).not.toEqual(systemMessage(frozen, false));
  });

  test("an unfrozen list, which may still change, gets a message of its own every time", () => {
    const list = structuredClone(frozen) as Block[];
    const before = systemMessage(list, false);
    list.push({ type: "text", text: "late" });
    expect(systemMessage(list, false)).not.toBe(before);
    expect(systemMessage(list, false)!.content).toEndWith("\n\nlate");
  });

  test("nothing left but the billing line and blank blocks: no message", () => {
    expect(systemMessage([{ type: "text", text: "x-anthropic-billing-header: a" }, { type: "text", text: " \n" }], false)).toBeNull();
    expect(systemMessage(undefined, true)).toBeNull();
    expect(systemMessage("", false)).toBeNull();
  });
});
