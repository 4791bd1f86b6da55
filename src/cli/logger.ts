// One consola instance for every diagnostic line, on stderr (data goes to stdout). The level comes
// from the resolved config (--debug, ANYCLAUDE_DEBUG, debug.level): 0 info, 1 debug, 2+ trace.
import { createConsola, type ConsolaInstance, type ConsolaReporter, LogLevels } from "consola";
import { redactUrls } from "../config/redact-url.ts";

export function createLogger(debugLevel: number): ConsolaInstance {
  const level = debugLevel >= 2 ? LogLevels.trace : debugLevel >= 1 ? LogLevels.debug : LogLevels.info;
  const logger = createConsola({ level, stdout: process.stderr, stderr: process.stderr });
  // No line carries a URL's user:password@ (base URLs appear in many messages, errors included).
  const redacting = (r: ConsolaReporter): ConsolaReporter => ({ log: (o, ctx) => r.log({ ...o, args: o.args.map((a) => (typeof a === "string" ? redactUrls(a) : a)) }, ctx) });
  logger.setReporters(logger.options.reporters.map(redacting));
  return logger.withTag("anyclaude");
}
