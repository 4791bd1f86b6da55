// `anyclaude serve`: the proxy alone, until SIGINT/SIGTERM.
import { defineCommand } from "citty";
import { OpenAICompatibleBackend } from "../backends/openai-compatible.ts";
import { PROFILE_NAMES, PROFILES, type ProfileName } from "../backends/profiles.ts";
import { hostIsLoopback } from "../server/access.ts";
import { createApp } from "../server/app.ts";
import { listen } from "../runtime/serve.ts";
import { createLogger } from "./logger.ts";

export const serveCommand = defineCommand({
  meta: { name: "serve", description: "Run only the proxy (no Claude Code)" },
  args: {
    port: { type: "string", description: "Port to listen on (0 picks a free one)", default: "0" },
    host: { type: "string", description: "Address to bind; anything but loopback exposes your backend", default: "127.0.0.1" },
    backend: { type: "string", description: `Server profile: ${PROFILE_NAMES.join(", ")}`, default: "openai" },
    "base-url": { type: "string", description: "Upstream OpenAI-compatible base URL (…/v1)" },
    "api-key": { type: "string", description: "Upstream API key (or OPENAI_API_KEY)" },
    model: { type: "string", description: "Backend model for every request", default: "default" },
    "small-model": { type: "string", description: "Backend model for Claude Code's haiku-class requests" },
    debug: { type: "boolean", description: "Verbose logging", default: false },
  },
  async run({ args }) {
    const logger = createLogger(args.debug ? 1 : undefined);
    if (!PROFILE_NAMES.includes(args.backend as ProfileName)) {
      logger.error(`unknown backend "${args.backend}"; expected one of ${PROFILE_NAMES.join(", ")}`);
      process.exit(2);
    }
    const port = Number(args.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      logger.error(`--port must be a number from 0 to 65535, got "${args.port}"`);
      process.exit(2);
    }
    const profile = PROFILES[args.backend as ProfileName];
    const backend = new OpenAICompatibleBackend({
      profile,
      baseUrl: args["base-url"] ?? profile.defaultBaseUrl,
      apiKey: args["api-key"] ?? process.env.OPENAI_API_KEY,
      logger,
    });
    if (!hostIsLoopback(args.host)) logger.warn(`listening on ${args.host}: other machines can reach this proxy`);
    const app = createApp({
      backend,
      logger,
      routing: { model: args.model, ...(args["small-model"] ? { smallModel: args["small-model"] } : {}) },
    });
    const server = await listen(app.fetch, { hostname: args.host, port });
    logger.info(`listening on ${server.url} → ${profile.name} at ${args["base-url"] ?? profile.defaultBaseUrl}`);
    logger.info(`use it with: ANTHROPIC_BASE_URL=${server.url} claude`);
    const stop = async (signal: NodeJS.Signals) => {
      logger.debug(`${signal}: shutting down`);
      await server.stop();
      process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  },
});
