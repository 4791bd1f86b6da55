// `anyclaude [flags] [-- claude args]`: the proxy on a free loopback port, then Claude Code on it.
import { randomBytes } from "node:crypto";
import { homedir } from "node:os";
import { defineCommand } from "citty";
import { claudeEnv } from "../launcher/claude-env.ts";
import { CLAUDE_INSTALL_HINT, findClaude } from "../launcher/find-claude.ts";
import { ensureOnboarding } from "../launcher/onboarding.ts";
import { runClaude } from "../launcher/run-claude.ts";
import { startCommand } from "./choose-mode.ts";
import { launchArgs } from "./launch-args.ts";
import { exitOnStartFailure } from "./run-safely.ts";
import { keyHint, servingKey } from "./serve.ts";
import { startProxy } from "./start-proxy.ts";

export const launchCommand = defineCommand({
  meta: { name: "launch", description: "Start the proxy and Claude Code pointed at it (the default command)" },
  args: launchArgs,
  async run({ args, rawArgs }) {
    const claudeArgs = rawArgs.includes("--") ? rawArgs.slice(rawArgs.indexOf("--") + 1) : [];
    const { config, logger, mode } = await startCommand(args);

    if (config.proxyOnly) {
      const requiredApiKey = servingKey(config);
      const proxy = await startProxy(config, mode, logger, { requiredApiKey }).catch(exitOnStartFailure(logger));
      logger.info(`proxy only: listening on ${proxy.url} → ${mode}; run ANTHROPIC_BASE_URL=${proxy.url}${keyHint(config, requiredApiKey)} claude`);
      const stop = async () => {
        await proxy.stop();
        process.exit(0);
      };
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, stop);
      return;
    }

    const claudePath = findClaude(config.claudePath);
    if (!claudePath) {
      logger.error(`claude not found${config.claudePath ? ` at ${config.claudePath}` : " on PATH"}; install it with: ${CLAUDE_INSTALL_HINT}`);
      process.exit(127);
    }
    // claude mode without an API key keeps the user's Claude Code login: no per-launch key then.
    const keepLogin = mode === "claude" && !config.backends.claude.apiKey;
    const launchKey = keepLogin ? undefined : `anyclaude-${randomBytes(24).toString("base64url")}`;
    const proxy = await startProxy(config, mode, logger, { requiredApiKey: launchKey }).catch(exitOnStartFailure(logger));
    // One line on what Claude Code is about to run on.
    const what = mode === "claude" ? "the Anthropic API" : `${proxy.model}${proxy.contextWindow ? ` (${Math.round(proxy.contextWindow / 1024)}k context)` : ""}`;
    logger.info(`Claude Code on ${mode}: ${what}, through ${proxy.url}`);

    const home = process.env.HOME ?? homedir();
    if (!keepLogin) {
      const changed = ensureOnboarding(home);
      if (changed)
        logger.info(
          `first run of Claude Code here: marked its onboarding complete in ${changed.file}` +
            `${changed.backup ? ` (previous copy: ${changed.backup})` : ""}, so it starts without an Anthropic login`,
        );
    }
    const env = claudeEnv(process.env, { proxyUrl: proxy.url, launchKey, contextWindow: proxy.contextWindow });
    const code = await runClaude(claudePath, claudeArgs, env, logger);
    await proxy.stop();
    process.exit(code);
  },
});
