// A bad config stops everything before it starts: one clear line, exit code 2.
import { createLogger } from "./logger.ts";
import { ConfigError } from "../config/load.ts";

export function exitOnConfigError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    createLogger().error(e.message);
    process.exit(2);
  }
}
