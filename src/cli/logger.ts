// One consola instance for every diagnostic line, on stderr (data goes to stdout). The level comes
// from the resolved config (--debug, ANYCLAUDE_DEBUG, debug.level): 0 info, 1 debug, 2+ trace.
import { createConsola, type ConsolaInstance, type ConsolaReporter, LogLevels } from "consola";
import { redactText } from "../trace/redact.ts";

export function createLogger(debugLevel: number): ConsolaInstance {
  const level = debugLevel >= 2 ? LogLevels.trace : debugLevel >= 1 ? LogLevels.debug : LogLevels.info;
  const logger = createConsola({ level, stdout: process.stderr, stderr: process.stderr });
  // No line carries a URL's user:password@ or a key (base URLs and upstream error bodies appear in many messages).
  // Every line is one line: no badge with blank lines around a warning (consola's default).
  const redacting = (r: ConsolaReporter): ConsolaReporter => ({ log: (o, ctx) => r.log({ ...o, badge: false, args: o.args.map((a) => (typeof a === "string" ? redactText(a) : a)) }, ctx) });
  logger.setReporters(logger.options.reporters.map(redacting));
  return logger.withTag("anyclaude");
}
