// `anyclaude serve`: the proxy alone, until SIGINT/SIGTERM.
import { defineCommand } from "citty";
import { hostIsLoopback } from "../server/access.ts";
import { startCommand } from "./choose-mode.ts";
import { proxyArgs } from "./options.ts";
import { exitOnStartFailure } from "./run-safely.ts";
import { startProxy } from "./start-proxy.ts";

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run only the proxy; point Claude Code at the printed URL" },
  args: proxyArgs,
  async run({ args }) {
    const { config, logger, mode } = await startCommand(args);
    if (!hostIsLoopback(config.host)) logger.warn(`listening on ${config.host}: other machines can reach this proxy`);
    const proxy = await startProxy(config, mode, logger).catch(exitOnStartFailure(logger));
    logger.info(`listening on ${proxy.url} → ${mode} at ${proxy.backendUrl}`);
    logger.info(`use it with: ANTHROPIC_BASE_URL=${proxy.url} claude`);
    const stop = async (signal: NodeJS.Signals) => {
      logger.debug(`${signal}: shutting down`);
      await proxy.stop();
      process.exit(0);
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, stop);
  },
});
