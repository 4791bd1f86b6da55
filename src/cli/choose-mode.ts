// The configured mode, or the first local server found on the usual ports.
import type { ConsolaInstance } from "consola";
import { probeLocalServers } from "../backends/probe.ts";
import { describeLocalServers } from "../backends/servers.ts";
import type { Config } from "../config/load.ts";
import type { Mode } from "../config/schema.ts";
import { createLogger } from "./logger.ts";
import { flagsFrom, loadConfig } from "./options.ts";
import { exitOnConfigError } from "./run-safely.ts";

export async function chooseMode(config: Config, logger: ConsolaInstance): Promise<{ mode: Mode; config: Config } | null> {
  if (config.mode) return { mode: config.mode, config };
  const found = await probeLocalServers();
  if (!found) {
    logger.error(
      `no backend configured and none found on the usual ports (${describeLocalServers()}). ` +
        "Start one, or pass --mode (see `anyclaude doctor`).",
    );
    return null;
  }
  logger.info(`no mode configured; found ${found.mode} at ${found.url}`);
  return { mode: found.mode, config: { ...config, mode: found.mode, modeSource: "default" } };
}

/** What every backend-facing command starts with: config (exit 2 if bad), logger, and a mode (exit 2 if none). */
export async function startCommand(args: Parameters<typeof flagsFrom>[0]): Promise<{ config: Config; logger: ConsolaInstance; mode: Mode }> {
  const loaded = exitOnConfigError(() => loadConfig(flagsFrom(args)));
  const logger = createLogger(loaded.debugLevel);
  const chosen = await chooseMode(loaded, logger);
  if (!chosen) process.exit(2);
  return { config: chosen.config, logger, mode: chosen.mode };
}
