// Does a tool call's input satisfy the tool's JSON Schema? The subset Claude Code's tool schemas
// use: type, required, properties, additionalProperties: false, enum, items. Pure.
import type { Json } from "./prompt.ts";

const typeOf = (x: unknown): string =>
  x === null ? "null" : Array.isArray(x) ? "array" : Number.isInteger(x) ? "integer" : typeof x;

function matchesType(x: unknown, want: unknown): boolean {
  const wants = Array.isArray(want) ? want : [want];
  const got = typeOf(x);
  return wants.some((w) => w === got || (w === "number" && got === "integer"));
}

/** The first way `value` breaks `schema`, or null when it conforms. */
export function schemaViolation(value: unknown, schema: Json | undefined, path = "input"): string | null {
  if (!schema) return null;
  if (schema.type !== undefined && !matchesType(value, schema.type)) return `${path} is ${typeOf(value)}, expected ${String(schema.type)}`;
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value)))
    return `${path} is ${JSON.stringify(value)}, not one of ${JSON.stringify(schema.enum)}`;
  if (typeOf(value) === "array" && schema.items && typeof schema.items === "object") {
    for (const [i, item] of (value as unknown[]).entries()) {
      const bad = schemaViolation(item, schema.items as Json, `${path}[${i}]`);
      if (bad) return bad;
    }
  }
  if (typeOf(value) !== "object") return null;
  const obj = value as Json;
  const props = (schema.properties ?? {}) as Record<string, Json>;
  for (const key of Array.isArray(schema.required) ? (schema.required as string[]) : [])
    if (!(key in obj)) return `${path}.${key} is missing`;
  for (const [key, v] of Object.entries(obj)) {
    if (props[key]) {
      const bad = schemaViolation(v, props[key], `${path}.${key}`);
      if (bad) return bad;
    } else if (schema.additionalProperties === false) return `${path}.${key} is not a parameter of this tool`;
  }
  return null;
}
