// `anyclaude config`: the resolved configuration (secrets redacted), or its JSON Schema.
import { defineCommand } from "citty";
import { configJsonSchema } from "../config/json-schema.ts";
import { redactedConfig } from "../config/load.ts";
import { flagsFrom, loadConfig, proxyArgs } from "./options.ts";
import { exitOnConfigError } from "./run-safely.ts";

export const configCommand = defineCommand({
  meta: { name: "config", description: "Print the resolved configuration, or --schema for .anyclauderc.json" },
  args: { ...proxyArgs, schema: { type: "boolean", description: "Print the JSON Schema of .anyclauderc.json" } },
  run({ args }) {
    if (args.schema) return void process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    const config = exitOnConfigError(() => loadConfig(flagsFrom(args)));
    process.stdout.write(`${JSON.stringify(redactedConfig(config), null, 2)}\n`);
  },
});
