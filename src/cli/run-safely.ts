// Failures before anything runs: one clear line and an exit code (2 bad config, 1 start failure).
import { createLogger } from "./logger.ts";
import type { ConsolaInstance } from "consola";
import { ConfigError } from "../config/load.ts";
import { MlxServerError } from "../supervisor/mlx-server.ts";

export function exitOnConfigError<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    createLogger().error(e.message);
    process.exit(2);
  }
}

/** The MLX server could not start: say why (its own last lines included) and stop. */
export function exitOnStartFailure(logger: ConsolaInstance): (e: unknown) => never {
  return (e) => {
    if (!(e instanceof MlxServerError)) throw e;
    logger.error(e.message);
    process.exit(1);
  };
}
