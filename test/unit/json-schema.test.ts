import { describe, expect, test } from "bun:test";
import { cleanToolSchema } from "../../src/translate/json-schema.ts";

describe("cleanToolSchema", () => {
  test("drops $schema/$id/$comment at every schema position but not property names", () => {
    const input = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        format: { type: "string", $comment: "x" },
        $id: { type: "string" },
        nested: { type: "object", properties: { a: { $id: "a", type: "number" } } },
        list: { type: "array", items: { $schema: "x", type: "string" } },
      },
    };
    expect(cleanToolSchema(input)).toEqual({
      type: "object",
      properties: {
        format: { type: "string" },
        $id: { type: "string" },
        nested: { type: "object", properties: { a: { type: "number" } } },
        list: { type: "array", items: { type: "string" } },
      },
    });
  });
  test("drops unsupported formats, keeps safe ones", () => {
    const out = cleanToolSchema({ type: "object", properties: { u: { type: "string", format: "uri" }, d: { type: "string", format: "date-time" } } });
    expect(out.properties).toEqual({ u: { type: "string" }, d: { type: "string", format: "date-time" } });
  });
  test("keeps additionalProperties and constraints by default", () => {
    const s = { type: "object", properties: { n: { type: "number", exclusiveMinimum: 0 } }, additionalProperties: false, required: ["n"] };
    expect(cleanToolSchema(s)).toEqual(s);
  });
  test("gemini profile strips what Gemini rejects", () => {
    const out = cleanToolSchema(
      {
        type: "object",
        additionalProperties: false,
        propertyNames: { pattern: "^a" },
        properties: { n: { type: "integer", enum: [1, 2], exclusiveMinimum: 0 }, s: { type: "string", enum: ["a"] } },
      },
      "gemini",
    );
    expect(out).toEqual({ type: "object", properties: { n: { type: "integer" }, s: { type: "string", enum: ["a"] } } });
  });
  test("inlines $ref from $defs; recursive refs degrade to object", () => {
    const out = cleanToolSchema({
      type: "object",
      $defs: { pt: { type: "object", properties: { x: { type: "number" } } }, node: { type: "object", properties: { next: { $ref: "#/$defs/node" } } } },
      properties: { p: { $ref: "#/$defs/pt", description: "point" }, n: { $ref: "#/$defs/node" } },
    });
    expect(out.properties).toEqual({
      p: { type: "object", properties: { x: { type: "number" } }, description: "point" },
      n: { type: "object", properties: { next: { type: "object" } } },
    });
  });
  test("argument-less tools still get type object and properties", () => {
    expect(cleanToolSchema(undefined)).toEqual({ type: "object", properties: {} });
    expect(cleanToolSchema({ type: "object" })).toEqual({ type: "object", properties: {} });
  });
});
