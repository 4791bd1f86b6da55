// One consola instance for every user-facing line. Level: ANYCLAUDE_DEBUG (0-2) or --debug.
import { createConsola, type ConsolaInstance, LogLevels } from "consola";

export function createLogger(debugLevel = Number(process.env.ANYCLAUDE_DEBUG ?? 0)): ConsolaInstance {
  const level = debugLevel >= 2 ? LogLevels.trace : debugLevel >= 1 ? LogLevels.debug : LogLevels.info;
  return createConsola({ level, stdout: process.stderr, stderr: process.stderr }).withTag("anyclaude");
}
