// `anyclaude models`: the backend's models and their context windows.
import { defineCommand } from "citty";
import { createBackend } from "../backends/create.ts";
import { startCommand } from "./choose-mode.ts";
import { proxyArgs } from "./options.ts";

export const modelsCommand = defineCommand({
  meta: { name: "models", description: "List the backend's models" },
  args: { ...proxyArgs, json: { type: "boolean", description: "Print JSON" } },
  async run({ args }) {
    const { config, logger, mode } = await startCommand(args);
    const backend = createBackend(config.backends[mode], logger);
    const info = await backend.describe(AbortSignal.timeout(10_000)).catch((e: Error) => {
      logger.error(`${mode} at ${config.backends[mode].baseUrl}: ${e.message}`);
      process.exit(1);
    });
    if (args.json) return void process.stdout.write(`${JSON.stringify(info.models, null, 2)}\n`);
    if (!info.models.length) logger.log(`${mode} lists no models`);
    for (const m of info.models) logger.log(`${m.id}${m.contextWindow ? `  (${m.contextWindow} tokens)` : ""}`);
  },
});
