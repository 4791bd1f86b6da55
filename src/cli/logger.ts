// One consola instance for every diagnostic line, on stderr (data goes to stdout). The level comes
// from the resolved config (--debug, ANYCLAUDE_DEBUG, debug.level): 0 info, 1 debug, 2+ trace.
import type { ConsolaInstance, ConsolaReporter } from "consola";
import { createConsola as createBasicConsola, LogLevels } from "consola/basic";
import { redactError, redactText } from "../trace/redact.ts";
import { plainReporter, usePlainLines } from "./plain-reporter.ts";

// consola's main entry (fancy reporter) is loaded only where its lines can differ from plain ones (a terminal,
// colour forced, CI, tests): an idle proxy in a pipe keeps ~6 MB less resident memory.
const plain = usePlainLines(process.env, process.argv, process.platform, process.stdout.isTTY === true, process.stderr.isTTY === true);
const fancy = plain ? undefined : await import("consola");

/** Strings and errors (message, stack, causes): what a failing fetch quotes may hold a key or a URL's password. */
const redactArg = (a: unknown): unknown => (typeof a === "string" ? redactText(a) : a instanceof Error ? redactError(a) : a);

export function createLogger(debugLevel: number): ConsolaInstance {
  const level = debugLevel >= 2 ? LogLevels.trace : debugLevel >= 1 ? LogLevels.debug : LogLevels.info;
  const streams = { level, stdout: process.stderr, stderr: process.stderr };
  const logger = fancy ? fancy.createConsola(streams) : createBasicConsola({ ...streams, reporters: [plainReporter] });
  // No line carries a URL's user:password@ or a key (base URLs and upstream error bodies appear in many messages).
  // Every line is one line: no badge with blank lines around a warning (consola's default).
  const redacting = (r: ConsolaReporter): ConsolaReporter => ({ log: (o, ctx) => r.log({ ...o, badge: false, args: o.args.map(redactArg) }, ctx) });
  logger.setReporters(logger.options.reporters.map(redacting));
  return logger.withTag("anyclaude");
}
