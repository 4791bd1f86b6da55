// `anyclaude config`: the resolved configuration (secrets redacted), or its JSON Schema.
import { defineCommand } from "citty";
import { configJsonSchema } from "../config/json-schema.ts";
import { redactedConfig } from "../config/load.ts";
import { loadCommandConfig } from "./choose-mode.ts";
import { backendArgs, proxyArgs } from "./options.ts";
import { printLine } from "./output.ts";

export const configCommand = defineCommand({
  meta: { name: "config", description: "Print the resolved configuration as JSON, or --schema for .anyclauderc.json" },
  args: {
    ...backendArgs,
    "small-model": proxyArgs["small-model"],
    port: { type: "string", description: "Proxy port to resolve" },
    host: { type: "string", description: "Proxy address to resolve" },
    schema: { type: "boolean", description: "Print the JSON Schema of .anyclauderc.json" },
  },
  run({ args }) {
    if (args.schema) return printLine(JSON.stringify(configJsonSchema(), null, 2));
    printLine(JSON.stringify(redactedConfig(loadCommandConfig(args).config), null, 2));
  },
});
