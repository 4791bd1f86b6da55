// `anyclaude [flags] [-- claude args]`: the proxy on a free loopback port, then Claude Code on it.
import { randomBytes } from "node:crypto";
import { defineCommand } from "citty";
import { claudeEnv } from "../launcher/claude-env.ts";
import { CLAUDE_INSTALL_HINT, findClaude } from "../launcher/find-claude.ts";
import { ensureOnboarding } from "../launcher/onboarding.ts";
import { claudeConfigDir, isInteractive, latestSessionSince, resumeCommand } from "../launcher/resume-hint.ts";
import { runClaude } from "../launcher/run-claude.ts";
import { startCommand } from "./choose-mode.ts";
import { CliError } from "./errors.ts";
import { launchArgs } from "./launch-args.ts";
import { exitAfterOutput } from "./output.ts";
import { claudeCommandFor, servingKey } from "./serve.ts";
import { startProxy } from "./start-proxy.ts";

export const launchCommand = defineCommand({
  meta: { name: "launch", description: "Start the proxy and Claude Code pointed at it (the default command)" },
  args: launchArgs,
  async run({ args, rawArgs }) {
    const dashes = rawArgs.indexOf("--");
    const claudeArgs = dashes === -1 ? [] : rawArgs.slice(dashes + 1);
    const ownArgs = dashes === -1 ? rawArgs : rawArgs.slice(0, dashes);
    const { config, logger, mode } = await startCommand(args);

    if (config.proxyOnly) {
      const requiredApiKey = servingKey(config);
      const proxy = await startProxy(config, mode, logger, { requiredApiKey });
      const stop = async () => {
        await proxy.stop();
        await exitAfterOutput(0);
      };
      // Before the line a supervisor may wait for.
      for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.once(s, stop);
      logger.info(`proxy only: listening on ${proxy.url} → ${mode}; use it with: ${claudeCommandFor(proxy.url, config, requiredApiKey)}`);
      return;
    }

    const claudePath = findClaude(config.claudePath);
    if (!claudePath) {
      throw new CliError(`claude not found${config.claudePath ? ` at ${config.claudePath}` : " on PATH"}; install it with: ${CLAUDE_INSTALL_HINT}`, 127);
    }
    // claude mode without an API key keeps the user's Claude Code login: no per-launch key then.
    const keepLogin = mode === "claude" && !config.backends.claude.apiKey;
    const launchKey = keepLogin ? undefined : `anyclaude-${randomBytes(24).toString("base64url")}`;
    const proxy = await startProxy(config, mode, logger, { requiredApiKey: launchKey });
    // One line on what Claude Code is about to run on.
    const what = mode === "claude" ? "the Anthropic API" : `${proxy.model}${proxy.contextWindow ? ` (${Math.round(proxy.contextWindow / 1024)}k context)` : ""}`;
    logger.info(`Claude Code on ${mode}: ${what}, through ${proxy.url}`);

    if (!keepLogin) {
      const changed = ensureOnboarding(config.home);
      if (changed)
        logger.info(
          `first run of Claude Code here: marked its onboarding complete in ${changed.file}` +
            `${changed.backup ? ` (previous copy: ${changed.backup})` : ""}, so it starts without an Anthropic login`,
        );
    }
    const env = claudeEnv(process.env, { proxyUrl: proxy.url, launchKey, contextWindow: proxy.contextWindow });
    const started = Date.now();
    const code = await runClaude(claudePath, claudeArgs, env, logger);
    await proxy.stop();
    const session = isInteractive(claudeArgs) ? latestSessionSince(claudeConfigDir(env, config.home), started - 1000) : undefined;
    if (session) logger.info(`to resume this session through anyclaude: ${resumeCommand(ownArgs, session)}`);
    await exitAfterOutput(code);
  },
});
