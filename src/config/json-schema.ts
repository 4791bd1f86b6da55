// The published JSON Schema of .anyclauderc.json, generated from the valibot schema so the two
// never disagree. `anyclaude config --schema` prints it; editors complete from it.
import { toJsonSchema } from "@valibot/to-json-schema";
import { ConfigFileSchema } from "./schema.ts";

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...toJsonSchema(ConfigFileSchema, { errorMode: "ignore" }),
    title: "anyclaude configuration (.anyclauderc.json)",
  };
}
