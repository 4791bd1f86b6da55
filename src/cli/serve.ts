// `anyclaude serve`: the proxy alone, until SIGINT/SIGTERM.
import { defineCommand } from "citty";
import { hostIsLoopback } from "../server/access.ts";
import { chooseMode } from "./choose-mode.ts";
import { createLogger } from "./logger.ts";
import { flagsFrom, loadConfig, proxyArgs } from "./options.ts";
import { exitOnConfigError, exitOnStartFailure } from "./run-safely.ts";
import { startProxy } from "./start-proxy.ts";

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run only the proxy; point Claude Code at the printed URL" },
  args: proxyArgs,
  async run({ args }) {
    const config = exitOnConfigError(() => loadConfig(flagsFrom(args)));
    const logger = createLogger(config.debugLevel);
    const chosen = await chooseMode(config, logger);
    if (!chosen) process.exit(2);
    if (!hostIsLoopback(config.host)) logger.warn(`listening on ${config.host}: other machines can reach this proxy`);
    const proxy = await startProxy(chosen.config, chosen.mode, logger).catch(exitOnStartFailure(logger));
    const settings = chosen.config.backends[chosen.mode];
    logger.info(`listening on ${proxy.url} → ${chosen.mode} at ${settings.baseUrl}`);
    logger.info(`use it with: ANTHROPIC_BASE_URL=${proxy.url} claude`);
    const stop = async (signal: NodeJS.Signals) => {
      logger.debug(`${signal}: shutting down`);
      await proxy.stop();
      process.exit(0);
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, stop);
  },
});
