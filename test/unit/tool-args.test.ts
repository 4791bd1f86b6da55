import { describe, expect, test } from "bun:test";
import { repairToolArguments } from "../../src/translate/tool-args.ts";

const bashSchema = {
  type: "object",
  properties: { command: { type: "string" }, timeout: { type: "number" }, run_in_background: { type: "boolean" } },
  required: ["command"],
};
const editSchema = {
  type: "object",
  properties: { file_path: { type: "string" }, edits: { type: "array" }, options: { type: "object" }, count: { type: "integer" } },
};
const oneProp = { type: "object", properties: { pattern: { type: "string" } } };

describe("repairToolArguments", () => {
  const ok: [string, unknown, Record<string, unknown>, object?][] = [
    ["valid JSON", '{"command":"ls"}', { command: "ls" }, bashSchema],
    ["empty string", "", {}],
    ["whitespace", "   ", {}],
    ["null literal", "null", {}],
    ["undefined", undefined, {}],
    ["object already", { command: "ls" }, { command: "ls" }],
    ["trailing comma", '{"command":"ls",}', { command: "ls" }],
    ["trailing comma in array", '{"edits":[1,2,],}', { edits: [1, 2] }],
    ["single quotes", "{'command': 'ls -la'}", { command: "ls -la" }],
    ["unquoted keys", "{command: 'ls'}", { command: "ls" }],
    ["json fence", '```json\n{"command":"ls"}\n```', { command: "ls" }],
    ["bare fence", '```\n{"command":"ls"}\n```', { command: "ls" }],
    ["prose before", 'Sure! Here you go: {"command":"ls"}', { command: "ls" }],
    ["prose after", '{"command":"ls"} I hope this helps', { command: "ls" }],
    ["double-encoded", JSON.stringify(JSON.stringify({ command: "ls" })), { command: "ls" }],
    ["python literals", "{'run_in_background': True, 'command': 'x', 'timeout': None}", { run_in_background: true, command: "x", timeout: null }, bashSchema],
    ["unterminated (no length finish)", '{"command":"echo hi', { command: "echo hi" }],
    ["missing closing brace", '{"command":"ls"', { command: "ls" }],
    ["escaped quotes", '{"command":"echo \\"hi\\""}', { command: 'echo "hi"' }],
    ["unicode escapes", '{"command":"caf\\u00e9"}', { command: "café" }],
    ["string number coerced", '{"command":"ls","timeout":"5000"}', { command: "ls", timeout: 5000 }, bashSchema],
    ["string boolean coerced", '{"command":"ls","run_in_background":"true"}', { command: "ls", run_in_background: true }, bashSchema],
    ["string array coerced", '{"edits":"[{\\"a\\":1}]"}', { edits: [{ a: 1 }] }, editSchema],
    ["string object coerced", '{"options":"{\\"x\\":true}"}', { options: { x: true } }, editSchema],
    ["non-numeric integer stays", '{"count":"many"}', { count: "many" }, editSchema],
    ["bare string for single-property schema", '"*.ts"', { pattern: "*.ts" }, oneProp],
    ["comments", '{"command": "ls" /* list */ // done\n}', { command: "ls" }],
  ];
  for (const [name, raw, want, schema] of ok) {
    test(name, () => {
      const r = repairToolArguments(raw, schema as Record<string, unknown>);
      expect(r).toMatchObject({ ok: true, input: want });
    });
  }

  const bad: [string, unknown, object?][] = [
    ["plain prose", "I cannot do that"],
    ["array for multi-property schema", "[1,2]", bashSchema],
    ["number", "42", bashSchema],
  ];
  for (const [name, raw, schema] of bad) {
    test(`fails: ${name}`, () => {
      expect(repairToolArguments(raw, schema as Record<string, unknown>).ok).toBe(false);
    });
  }

  test("a call cut off by max_tokens is not completed", () => {
    expect(repairToolArguments('{"command":"echo hi', bashSchema, { truncatedResponse: true }).ok).toBe(false);
  });
  test("after max_tokens a complete call missing required fields is dropped", () => {
    expect(repairToolArguments('{"timeout":5}', bashSchema, { truncatedResponse: true }).ok).toBe(false);
  });
  test("after max_tokens a complete valid call is kept", () => {
    expect(repairToolArguments('{"command":"ls"}', bashSchema, { truncatedResponse: true })).toMatchObject({ ok: true, input: { command: "ls" } });
  });
  test("repaired flag is false for clean JSON and true otherwise", () => {
    expect(repairToolArguments('{"a":1}')).toMatchObject({ repaired: false });
    expect(repairToolArguments("{'a':1}")).toMatchObject({ repaired: true });
  });
});
