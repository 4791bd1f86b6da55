// `anyclaude models`: the backend's models, which are loaded, and their context windows, on stdout.
import { defineCommand } from "citty";
import { createBackend } from "../backends/create.ts";
import type { ModelInfo } from "../backends/types.ts";
import { startCommand } from "./choose-mode.ts";
import { CliError } from "./errors.ts";
import { backendArgs, jsonArg } from "./options.ts";
import { printLine } from "./output.ts";

export const modelsCommand = defineCommand({
  meta: { name: "models", description: "List the backend's models and their context windows" },
  args: { ...backendArgs, ...jsonArg },
  async run({ args }) {
    const { config, logger, mode } = await startCommand(args);
    const backend = createBackend(config.backends[mode], logger);
    const info = await backend.describe(AbortSignal.timeout(10_000)).catch((e: Error) => {
      throw new CliError(`${mode} at ${config.backends[mode].baseUrl}: ${e.message} (see \`anyclaude doctor\`)`);
    });
    if (args.json) return printLine(JSON.stringify(info.models, null, 2));
    if (!info.models.length) logger.info(`${mode} lists no models`);
    for (const m of info.models) printLine(modelLine(m));
  },
});

/** "qwen3-coder  (loaded, 40960 tokens, max 262144)": what is loaded and each model's window. */
export function modelLine(m: ModelInfo): string {
  const notes = [
    m.loaded ? "loaded" : "",
    m.kind === "embeddings" ? "embeddings" : "",
    m.contextWindow ? `${m.contextWindow} tokens` : "",
    m.maxContextWindow && m.maxContextWindow !== m.contextWindow ? `max ${m.maxContextWindow}` : "",
  ].filter(Boolean);
  return `${m.id}${notes.length ? `  (${notes.join(", ")})` : ""}`;
}
