// `anyclaude models`: the backend's models and their context windows.
import { defineCommand } from "citty";
import { createBackend } from "../backends/create.ts";
import { chooseMode } from "./choose-mode.ts";
import { createLogger } from "./logger.ts";
import { flagsFrom, loadConfig, proxyArgs } from "./options.ts";
import { exitOnConfigError } from "./run-safely.ts";

export const modelsCommand = defineCommand({
  meta: { name: "models", description: "List the backend's models" },
  args: { ...proxyArgs, json: { type: "boolean", description: "Print JSON" } },
  async run({ args }) {
    const config = exitOnConfigError(() => loadConfig(flagsFrom(args)));
    const logger = createLogger(config.debugLevel);
    const chosen = await chooseMode(config, logger);
    if (!chosen) process.exit(2);
    const backend = createBackend(chosen.config.backends[chosen.mode], logger);
    const info = await backend.describe(AbortSignal.timeout(10_000)).catch((e: Error) => {
      logger.error(`${chosen.mode} at ${chosen.config.backends[chosen.mode].baseUrl}: ${e.message}`);
      process.exit(1);
    });
    if (args.json) return void process.stdout.write(`${JSON.stringify(info.models, null, 2)}\n`);
    if (!info.models.length) logger.log(`${chosen.mode} lists no models`);
    for (const m of info.models) logger.log(`${m.id}${m.contextWindow ? `  (${m.contextWindow} tokens)` : ""}`);
  },
});
