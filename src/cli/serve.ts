// `anyclaude serve`: the proxy alone, until SIGINT/SIGTERM.
import { randomBytes } from "node:crypto";
import { defineCommand } from "citty";
import type { Config } from "../config/load.ts";
import { redactUrls } from "../config/redact-url.ts";
import { hostIsLoopback } from "../server/access.ts";
import { startCommand } from "./choose-mode.ts";
import { proxyArgs } from "./options.ts";
import { exitAfterOutput } from "./output.ts";
import { startProxy } from "./start-proxy.ts";

/** The key clients must send: the configured one, or a fresh one when serving beyond loopback. */
export function servingKey(config: Config): string | undefined {
  if (config.proxyApiKey || hostIsLoopback(config.host)) return config.proxyApiKey;
  return `anyclaude-${randomBytes(24).toString("base64url")}`;
}

/** What to add to the client's environment (a configured key is not repeated on screen). */
export const keyHint = (config: Config, key: string | undefined) =>
  key ? ` ANTHROPIC_API_KEY=${config.proxyApiKey ? "<proxyApiKey from your config>" : key}` : "";

/**
 * A line that works as pasted. A proxy that asks for no key still needs some token in Claude Code,
 * or it stops at "Not logged in · Please run /login".
 */
export const claudeCommandFor = (url: string, config: Config, key: string | undefined) =>
  `ANTHROPIC_BASE_URL=${url}${key ? keyHint(config, key) : " ANTHROPIC_AUTH_TOKEN=anyclaude"} claude`;

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run only the proxy; point Claude Code at the printed URL" },
  args: proxyArgs,
  async run({ args }) {
    const { config, logger, mode } = await startCommand(args);
    if (!hostIsLoopback(config.host)) logger.warn(`listening on ${config.host}: other machines can reach this proxy; they must send its key`);
    const requiredApiKey = servingKey(config);
    const proxy = await startProxy(config, mode, logger, { requiredApiKey });
    const stop = async (signal: NodeJS.Signals) => {
      logger.debug(`${signal}: shutting down`);
      await proxy.stop();
      await exitAfterOutput(0);
    };
    // Before "listening on": whoever waits for that line may signal at once.
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(signal, stop);
    logger.info(`listening on ${proxy.url} → ${mode} at ${redactUrls(proxy.backendUrl)}`);
    logger.info(`use it with: ${claudeCommandFor(proxy.url, config, requiredApiKey)}`);
  },
});
