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
    ["missing closing brace, every declared property present", '{"count":1,"edits":[],"options":{},"file_path":"/a"', { file_path: "/a", edits: [], options: {}, count: 1 }, editSchema],
    ["missing closing braces, nested objects complete", '{"file_path":"/a","edits":[],"count":1,"options":{"x":true', { options: { x: true } }, { ...editSchema, properties: { ...editSchema.properties, options: { type: "object", properties: { x: { type: "boolean" } } } } }],
    ["missing closing brace after a literal", "{'pattern': 'a', } // trailing", { pattern: "a" }, oneProp],
    ["Windows path in single quotes", "{'pattern': 'C:\\users'}", { pattern: "C:\\users" }, oneProp],
    ["empty arguments for a tool that requires nothing", "", {}, editSchema],
    ["escaped quotes", '{"command":"echo \\"hi\\""}', { command: 'echo "hi"' }],
    ["unicode escapes", '{"command":"caf\\u00e9"}', { command: "café" }],
    ["string number coerced", '{"command":"ls","timeout":"5000"}', { command: "ls", timeout: 5000 }, bashSchema],
    ["string boolean coerced", '{"command":"ls","run_in_background":"true"}', { command: "ls", run_in_background: true }, bashSchema],
    ["string array coerced", '{"edits":"[{\\"a\\":1}]"}', { edits: [{ a: 1 }] }, editSchema],
    ["string object coerced", '{"options":"{\\"x\\":true}"}', { options: { x: true } }, editSchema],
    ["non-numeric integer stays", '{"count":"many"}', { count: "many" }, editSchema],
    ["bare string for single-property schema", '"*.ts"', { pattern: "*.ts" }, oneProp],
    ["missing opening brace", '"command": "ls -la", "description": "list"}', { command: "ls -la", description: "list" }, bashSchema],
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

  // The cut-off rule: never invent the end of a value (issue 9).
  const cut: [string, string, object?][] = [
    ["unterminated string", '{"command": "rm -rf ./', bashSchema],
    ["unterminated string, no schema", '{"command": "rm -rf ./'],
    ["cut inside an escape", '{"command": "echo \\', bashSchema],
    ["cut inside a unicode escape", '{"command": "caf\\u00', bashSchema],
    ["number at the very end", '{"command": "sleep", "timeout": 12', bashSchema],
    ["negative sign only", '{"command": "x", "timeout": -', bashSchema],
    ["literal cut mid-way", '{"command": "x", "run_in_background": tr', bashSchema],
    ["python literal cut mid-way", "{'command': 'x', 'run_in_background': Fa", bashSchema],
    ["key without a colon", '{"command"', bashSchema],
    ["key without a value", '{"command":', bashSchema],
    ["unquoted key cut", "{comm", bashSchema],
    ["closing brace missing, optional keys could follow", '{"command":"ls"', bashSchema],
    ["closing brace missing, no schema", '{"command":"ls"'],
    ["closing brace missing after a trailing comma", '{"command":"ls",', bashSchema],
    ["unclosed array, even with every property present", '{"file_path":"/a","options":{},"count":1,"edits":[1,2', editSchema],
    ["unclosed array of complete strings", '{"file_path":"/a","options":{},"count":1,"edits":["a"', editSchema],
    ["double-encoded and cut", JSON.stringify('{"command": "rm -rf ./'), bashSchema],
    ["double-encoded, outer string cut", JSON.stringify(JSON.stringify({ command: "rm -rf ./build" })).slice(0, 20), bashSchema],
    ["fenced and cut", '```json\n{"command": "rm -rf ./', bashSchema],
    ["empty arguments for a tool with required parameters", "", bashSchema],
    ["null for a tool with required parameters", "null", bashSchema],
  ];
  for (const [name, raw, schema] of cut) {
    test(`cut off, not repaired: ${name}`, () => {
      expect(repairToolArguments(raw, schema as Record<string, unknown>)).toMatchObject({ ok: false, cutOff: true });
    });
  }

  test("an encoded array that is cut off stays the string the model wrote", () => {
    expect(repairToolArguments('{"edits":"[{\\"a\\":1"}', editSchema)).toMatchObject({ ok: true, input: { edits: '[{"a":1' } });
  });
  test("unparseable arguments are invalid, not cut off", () => {
    expect(repairToolArguments("I cannot do that", bashSchema)).toMatchObject({ ok: false, cutOff: false });
  });

  test("a call cut off by max_tokens is not completed", () => {
    expect(repairToolArguments('{"command":"echo hi', bashSchema, { truncatedResponse: true }).ok).toBe(false);
  });
  test("after max_tokens a complete call missing required fields is dropped", () => {
    expect(repairToolArguments('{"timeout":5}', bashSchema, { truncatedResponse: true }).ok).toBe(false);
  });
  test("after max_tokens a missing closing brace is a cut, even with every property present", () => {
    expect(repairToolArguments('{"pattern":"a"', oneProp, { truncatedResponse: true })).toMatchObject({ ok: false, cutOff: true });
    expect(repairToolArguments('{"pattern":"a"', oneProp)).toMatchObject({ ok: true, input: { pattern: "a" } });
  });
  test("after max_tokens a complete valid call is kept", () => {
    expect(repairToolArguments('{"command":"ls"}', bashSchema, { truncatedResponse: true })).toMatchObject({ ok: true, input: { command: "ls" } });
  });
  test("repaired flag is false for clean JSON and true otherwise", () => {
    expect(repairToolArguments('{"a":1}')).toMatchObject({ repaired: false });
    expect(repairToolArguments("{'a':1}")).toMatchObject({ repaired: true });
  });
});
