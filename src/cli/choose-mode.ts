// The configured mode, or the first local server found on the usual ports.
import type { ConsolaInstance } from "consola";
import { probeLocalServers } from "../backends/probe.ts";
import { describeLocalServers, localServers } from "../backends/servers.ts";
import type { Config } from "../config/load.ts";
import type { Mode } from "../config/schema.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { flagsFrom, loadConfig } from "./options.ts";

const noBackend = () => `no backend configured and none found on the usual ports (${describeLocalServers()}). Start one, or pass --mode (see \`anyclaude doctor\`).`;

export async function chooseMode(
  config: Config,
  logger: ConsolaInstance,
  probe: (candidates: { mode: Mode; url: string }[]) => ReturnType<typeof probeLocalServers> = probeLocalServers,
): Promise<{ mode: Mode; config: Config } | null> {
  if (config.mode) return { mode: config.mode, config };
  // Servers the config disables (backends.<mode>.enabled: false) are not looked for.
  const found = await probe(localServers().filter((s) => config.backends[s.mode].enabled));
  if (!found) return null;
  logger.info(`no mode configured; found ${found.mode} at ${found.url}`);
  return { mode: found.mode, config: { ...config, mode: found.mode, modeSource: "default" } };
}

/** Config and a logger at its level: every command that reads the config starts here. */
export function loadCommandConfig(args: Parameters<typeof flagsFrom>[0]): { config: Config; logger: ConsolaInstance } {
  const config = loadConfig(flagsFrom(args));
  return { config, logger: createLogger(config.debugLevel) };
}

/** What every backend-facing command starts with: config, logger, and a mode (a usage error if none). */
export async function startCommand(args: Parameters<typeof flagsFrom>[0]): Promise<{ config: Config; logger: ConsolaInstance; mode: Mode }> {
  const { config: loaded, logger } = loadCommandConfig(args);
  const chosen = await chooseMode(loaded, logger);
  if (!chosen) throw new CliError(noBackend(), EXIT_USAGE);
  return { config: chosen.config, logger, mode: chosen.mode };
}
