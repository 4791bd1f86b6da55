// An unchanged tool list costs a comparison: the validator hands out the list it checked before,
// translation and JSON reuse their work for it, and nothing the client sees changes.
import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { MessagesRequestSchema } from "../../src/protocol/anthropic.ts";
import { sameJson } from "../../src/translate/same-json.ts";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { DEFAULT_PROFILE } from "../../src/translate/profile.ts";
import { chatRequestBytes, translateRequest } from "../../src/translate/request.ts";
import { makeToolIndex } from "../../src/translate/tool-index.ts";
import { loadFixture } from "../helpers/fixtures.ts";

/** The upstream body as text. */
const bodyJson = (request: Parameters<typeof chatRequestBytes>[0]) => new TextDecoder().decode(chatRequestBytes(request).bytes);

const fresh = (name = "print-mode-hello") => loadFixture(name).body; // a new parse every call, like a new request

describe("sameJson", () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ["equal scalars", 1, 1, true],
    ["1 vs '1'", 1, "1", false],
    ["null vs {}", null, {}, false],
    ["[] vs {}", [], {}, false],
    ["{} vs []", {}, [], false],
    ["nested equal", { a: [1, { b: "x" }] }, { a: [1, { b: "x" }] }, true],
    ["nested differ", { a: [1, { b: "x" }] }, { a: [1, { b: "y" }] }, false],
    ["array length", [1, 2], [1, 2, 3], false],
    ["extra key", { a: 1 }, { a: 1, b: 2 }, false],
    ["key order matters (it is sent on)", { a: 1, b: 2 }, { b: 2, a: 1 }, false],
    ["same size, other key", { a: 1 }, { b: 1 }, false],
  ];
  for (const [name, a, b, want] of cases) test(name, () => expect(sameJson(a, b)).toBe(want));
});

describe("RequestValidator", () => {
  test("an unchanged tool list is the very list validated before, frozen; the result equals valibot's", () => {
    const validator = new RequestValidator();
    const first = validator.messages(fresh());
    const second = validator.messages(fresh());
    expect(second.tools).toBe(first.tools!);
    expect(Object.isFrozen(second.tools)).toBe(true);
    expect(second).toEqual(v.parse(MessagesRequestSchema, fresh()));
  });

  test("a changed tool list is validated again", () => {
    const validator = new RequestValidator();
    const first = validator.messages(fresh());
    const body = fresh();
    (body.tools as { description: string }[])[0]!.description += " (changed)";
    const second = validator.messages(body);
    expect(second.tools).not.toBe(first.tools!);
    expect(second.tools![0]!.description).toEndWith(" (changed)");
  });

  test("a bad tool after a good list is still a 400 that names it", () => {
    const validator = new RequestValidator();
    validator.messages(fresh());
    const body = fresh();
    (body.tools as { name: unknown }[])[2]!.name = 7;
    expect(() => validator.messages(body)).toThrow(/tools\.2\.name/);
  });

  test("the rest of the body is checked on a hit", () => {
    const validator = new RequestValidator();
    validator.messages(fresh());
    expect(() => validator.messages({ ...fresh(), max_tokens: -1 })).toThrow(/max_tokens/);
  });

  test("keeps the most recent lists only", () => {
    const variant = (i: number) => {
      const body = fresh();
      (body.tools as { description: string }[])[0]!.description += ` v${i}`;
      return body;
    };
    const validator = new RequestValidator(2);
    const lists = [0, 1, 2].map((i) => validator.messages(variant(i)).tools);
    expect(validator.messages(variant(2)).tools).toBe(lists[2]!);
    expect(validator.messages(variant(1)).tools).toBe(lists[1]!);
    expect(validator.messages(variant(0)).tools).not.toBe(lists[0]!);
  });
});

describe("translated tools and their JSON", () => {
  const opts = { model: "m", profile: DEFAULT_PROFILE };

  test("the same frozen list translates to the same frozen list, equal to an uncached translation", () => {
    const validator = new RequestValidator();
    const a = translateRequest(validator.messages(fresh()), opts).request;
    const b = translateRequest(validator.messages(fresh()), opts).request;
    expect(b.tools).toBe(a.tools!);
    expect(Object.isFrozen(b.tools![0]!.function.parameters)).toBe(true);
    expect(b).toEqual(translateRequest(v.parse(MessagesRequestSchema, fresh()), opts).request);
  });

  test("another schema profile gets its own translation", () => {
    const req = new RequestValidator().messages(fresh());
    const plain = translateRequest(req, opts).request.tools;
    const gemini = translateRequest(req, { ...opts, profile: { ...DEFAULT_PROFILE, schemaProfile: "gemini" } }).request.tools;
    expect(gemini).not.toBe(plain!);
    expect(JSON.stringify(gemini)).not.toBe(JSON.stringify(plain));
  });

  test("notes about removed tools come back on every hit", () => {
    const body = { ...fresh(), tools: [...(fresh().tools as object[]), { name: "web_search", type: "web_search_20250305" }] };
    const validator = new RequestValidator();
    for (let i = 0; i < 2; i++) expect(translateRequest(validator.messages(structuredClone(body)), opts).notes).toContain("removed server tool web_search (web_search_20250305): backends cannot run it");
  });

  test("chatRequestBytes is JSON.stringify, byte for byte", () => {
    const validator = new RequestValidator();
    for (const name of ["print-mode-hello", "interactive-hello", "print-mode-bash-tool-result"]) {
      for (let turn = 0; turn < 2; turn++) {
        const body = { ...fresh(name), tool_choice: { type: "any" }, output_config: { format: { type: "json_schema", schema: { type: "object" } } }, temperature: undefined };
        const { request } = translateRequest(validator.messages(body), opts);
        expect(Object.isFrozen(request.tools)).toBe(true);
        expect(bodyJson(request)).toBe(JSON.stringify(request));
        expect(bodyJson({ ...request, top_p: undefined })).toBe(JSON.stringify({ ...request, top_p: undefined }));
      }
    }
    const unfrozen = translateRequest(v.parse(MessagesRequestSchema, fresh()), opts).request;
    expect(bodyJson(unfrozen)).toBe(JSON.stringify(unfrozen));
  });
});

const utf8 = (t: string) => new TextEncoder().encode(t);

describe("RequestValidator.read: a remembered tool list is not even parsed again", () => {
  const text = (body: object) => JSON.stringify(body);
  /** What reading the whole body gives: the reference for every case. */
  const reference = (t: string) => v.parse(MessagesRequestSchema, JSON.parse(t));

  test("an unchanged list: the same frozen list, the same request and body as a full read", () => {
    const validator = new RequestValidator();
    const first = validator.read(utf8(text(fresh())));
    const t = text(fresh());
    const second = validator.read(utf8(t));
    expect(second.request.tools).toBe(first.request.tools!);
    // Not parsed again: the body carries the list remembered from the first read.
    expect((second.body as { tools: unknown }).tools).toBe((first.body as { tools: unknown }).tools);
    expect(second.request).toEqual(reference(t));
    expect(second.body).toEqual(JSON.parse(t));
    expect(Object.keys(second.body)).toEqual(Object.keys(JSON.parse(t)));
  });

  const tools = fresh().tools as unknown[];
  const quoting = (extra: object) => ({
    model: "claude-sonnet-5",
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { tools } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
    ],
    ...extra,
    max_tokens: 10,
  });
  const cases: [string, string][] = [
    ["the same list quoted in a message before the body's own", text(quoting({ tools }))],
    ["the same list quoted in a message, no tools of its own", text(quoting({}))],
    ["the same list quoted in a message, an empty list of its own", text(quoting({ tools: [] }))],
    ["the list, then a second tools key that JSON.parse keeps", `${text({ ...fresh(), tools }).slice(0, -1)},"tools":[{"name":"Other","input_schema":{"type":"object"}}]}`],
    ["the list first, then the rest", text({ tools, ...quoting({}) })],
  ];
  for (const [name, t] of cases)
    test(name, () => {
      const validator = new RequestValidator();
      validator.read(utf8(text(fresh()))); // remembers the list
      const { request, body } = validator.read(utf8(t));
      expect(request).toEqual(reference(t));
      expect(body).toEqual(JSON.parse(t));
    });

  test("a body nested past the depth limit is refused as a full read refuses it", () => {
    const validator = new RequestValidator();
    validator.read(utf8(text(fresh())));
    let deep: unknown = 1;
    for (let i = 0; i < 1005; i++) deep = [deep];
    const body = fresh();
    const t = text({ ...body, messages: [...(body.messages as object[]), { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Bash", input: { deep } }] }] });
    expect(() => validator.read(utf8(t))).toThrow("request body nests deeper than 1000 levels");
  });

  test("a body that does not parse after the list gets the error of a full read", () => {
    const validator = new RequestValidator();
    validator.read(utf8(text(fresh())));
    const broken = `${text(fresh()).slice(0, -1)},"metadata":}`;
    let full = "";
    try {
      JSON.parse(broken);
    } catch (e) {
      full = (e as Error).message;
    }
    expect(() => validator.read(utf8(broken))).toThrow(`request body is not valid JSON: ${full}`);
  });
});

describe("a list that differs in one byte is read, translated and sent as a new list", () => {
  const opts = { model: "m", profile: DEFAULT_PROFILE };
  type Tool = { name: string; description: string; input_schema: { properties: Record<string, Record<string, unknown>> } };
  // Each edit changes one byte (or one key's place) deep inside the remembered list.
  const edits: [string, (tools: Tool[]) => void][] = [
    ["a letter of a nested property's description", (t) => (t[0]!.input_schema.properties.prompt!.description = "The task for the agent to perforM")],
    ["a nested type", (t) => (t[1]!.input_schema.properties.command!.type = "strinG")],
    ["a property name", (t) => {
      const p = t[11]!.input_schema.properties;
      const entries = Object.entries(p).map(([k, v], i) => [i === 0 ? `${k}_` : k, v] as const);
      t[11]!.input_schema.properties = Object.fromEntries(entries);
    }],
    ["the order of two properties", (t) => {
      const [a, b, ...rest] = Object.entries(t[4]!.input_schema.properties);
      t[4]!.input_schema.properties = Object.fromEntries([b!, a!, ...rest]);
    }],
    ["the last tool's name", (t) => (t[11]!.name = "Writf")],
  ];
  for (const [name, edit] of edits)
    for (const via of ["read", "messages"] as const)
      test(`${name} (${via})`, () => {
        const validator = new RequestValidator();
        const first = via === "read" ? validator.read(utf8(JSON.stringify(fresh()))).request : validator.messages(fresh());
        const body = fresh();
        edit(body.tools as Tool[]);
        const t = JSON.stringify(body);
        const second = via === "read" ? validator.read(utf8(t)).request : validator.messages(JSON.parse(t));
        expect(second.tools).not.toBe(first.tools!);
        expect(second).toEqual(v.parse(MessagesRequestSchema, JSON.parse(t)));
        const uncached = translateRequest(v.parse(MessagesRequestSchema, JSON.parse(t)), opts).request;
        expect(bodyJson(translateRequest(second, opts).request)).toBe(JSON.stringify(uncached));
        const names = (body.tools as Tool[]).map((x) => x.name);
        const index = makeToolIndex(second.tools);
        expect(names.map((n) => index.resolve(n))).toEqual(names);
        expect(names.map((n) => index.schemaOf(n))).toEqual((body.tools as Tool[]).map((x) => x.input_schema));
      });
});

describe("makeToolIndex", () => {
  test("one index per frozen list, resolving as a fresh one does", () => {
    const validator = new RequestValidator();
    const tools = validator.messages(fresh()).tools!;
    expect(makeToolIndex(validator.messages(fresh()).tools)).toBe(makeToolIndex(tools));
    const fresher = makeToolIndex(structuredClone(tools));
    for (const name of ["Bash", "bash", "WRITE", "mcp__x", "Read"]) expect(makeToolIndex(tools).resolve(name)).toBe(fresher.resolve(name));
    expect(makeToolIndex(tools).schemaOf("Bash")).toEqual(fresher.schemaOf("Bash"));
  });

  test("an unfrozen list, which may still change, gets an index of its own every time", () => {
    const tools = structuredClone(new RequestValidator().messages(fresh()).tools!);
    const before = makeToolIndex(tools);
    tools.push({ name: "Late", input_schema: { type: "object" } } as never);
    expect(makeToolIndex(tools)).not.toBe(before);
    expect(makeToolIndex(tools).schemaOf("Late")).toEqual({ type: "object" });
    expect(makeToolIndex(null).resolve("x")).toBe("x");
  });
});

describe("RequestValidator.read on bytes: as if the whole body had been decoded and read", () => {
  const concat = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));
  const body = fresh();
  const tools = JSON.stringify(body.tools);
  const { tools: _, ...rest } = body;
  const head = JSON.stringify(rest).slice(0, -1); // `{...` without its closing brace
  const euro = [0xe2, 0x82, 0xac];
  // Whether the remembered list is used (the body's list is byte for byte the remembered one).
  const cases: [string, Uint8Array, boolean][] = [
    ["the captured body", utf8(JSON.stringify(body)), true],
    ["a leading byte-order mark", concat([0xef, 0xbb, 0xbf], JSON.stringify(body)), true],
    ["a cut character just before the list", concat(head, ',"note":"x', euro.slice(0, 2), '","tools":', tools, "}"), true],
    ["a bad byte just before the list", concat(head, ',"note":"x', [0xff], '","tools":', tools, "}"), true],
    ["a cut character just after the list", concat(head, ',"tools":', tools, ',"note":"', euro.slice(0, 2), '"}'), true],
    ["four-byte characters around the list", concat(head, ',"a":"🤖","tools":', tools, ',"b":"🤖"}'), true],
    ["a bad byte inside the list", concat(head, ',"tools":', tools.slice(0, 40), [0xff], tools.slice(40), "}"), false],
    ["a cut character at the end of the body", concat(head, ',"tools":', tools, "}", euro.slice(0, 1)), false],
    ["the list as the whole body's only field", concat('{"tools":', tools, "}"), false],
    ["a byte-order mark, then no JSON", concat([0xef, 0xbb, 0xbf]), false],
  ];
  const outcome = (f: () => { request: unknown; body: unknown; chars: number; text(): string }) => {
    try {
      const r = f();
      return { request: r.request, body: r.body, chars: r.chars, text: r.text() };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };
  for (const [name, bytes, hit] of cases)
    test(name, async () => {
      const text = await new Response(bytes).text(); // what Request.text() gives
      const remembering = new RequestValidator();
      const remembered = remembering.read(utf8(JSON.stringify(fresh()))).request.tools;
      const got = outcome(() => remembering.read(bytes));
      if (hit) expect((got as { request: { tools: unknown } }).request.tools).toBe(remembered);
      const full = outcome(() => new RequestValidator().read(bytes));
      expect(got).toEqual(full);
      if ("text" in got) {
        expect(got.text).toBe(text);
        expect(got.chars).toBe(text.length);
        expect(got.request).toEqual(v.parse(MessagesRequestSchema, JSON.parse(text)));
      }
    });
});
