// JSON-schema cleaning for backends (protocol.md §6.4). Walks only schema positions, so a
// property that happens to be called "format" or "$id" is left alone.

type Schema = Record<string, unknown>;
type Profile = "default" | "gemini";

const ALWAYS_DROP = new Set(["$schema", "$id", "$comment"]);
const GEMINI_DROP = new Set([
  "additionalProperties", "propertyNames", "patternProperties", "dependentRequired",
  "if", "then", "else", "not", "exclusiveMinimum", "exclusiveMaximum",
]);
const SAFE_FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"]);
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const SCHEMA_VALUES = new Set(["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames", "additionalItems"]);
const SCHEMA_LISTS = new Set(["anyOf", "oneOf", "allOf", "prefixItems"]);

const isObject = (x: unknown): x is Schema => typeof x === "object" && x !== null && !Array.isArray(x);

function resolveRef(ref: string, root: Schema): Schema | undefined {
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!m) return undefined;
  const defs = root[m[1]!];
  const target = isObject(defs) ? defs[m[2]!.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
  return isObject(target) ? target : undefined;
}

function clean(node: unknown, root: Schema, profile: Profile, refStack: string[]): unknown {
  if (!isObject(node)) return node;
  let schema = node;
  if (typeof schema.$ref === "string") {
    const target = resolveRef(schema.$ref, root);
    // Inline non-recursive refs; a recursive one degrades to "any object".
    if (target && !refStack.includes(schema.$ref)) {
      const { $ref, ...rest } = schema;
      return clean({ ...target, ...rest }, root, profile, [...refStack, $ref as string]);
    }
    schema = { type: "object" };
  }
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ALWAYS_DROP.has(key) || key === "$defs" || key === "definitions") continue;
    if (profile === "gemini" && GEMINI_DROP.has(key)) continue;
    if (key === "format" && typeof value === "string") {
      if (profile === "gemini" ? value !== "date-time" : !SAFE_FORMATS.has(value)) continue;
    }
    if (profile === "gemini" && key === "enum" && schema.type !== "string") continue;
    if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, s]) => [k, clean(s, root, profile, refStack)]));
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = clean(value, root, profile, refStack);
    } else if (SCHEMA_LISTS.has(key) && Array.isArray(value)) {
      out[key] = value.map((s) => clean(s, root, profile, refStack));
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** A backend-safe copy of a tool's input schema; always an object schema with `properties`. */
export function cleanToolSchema(input: Schema | undefined, profile: Profile = "default"): Schema {
  const root = input ?? {};
  const cleaned = clean(root, root, profile, []) as Schema;
  return { ...cleaned, type: "object", properties: isObject(cleaned.properties) ? cleaned.properties : {} };
}
