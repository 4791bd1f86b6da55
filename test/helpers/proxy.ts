// Starts the real anyclaude app in-process against an upstream, on 127.0.0.1:0.
import { createConsola, LogLevels } from "consola";
import { OpenAICompatibleBackend, type OpenAICompatibleOptions } from "../../src/backends/openai-compatible.ts";
import { PROFILES, type ProfileName } from "../../src/backends/profiles.ts";
import { type AppDeps, createApp } from "../../src/server/app.ts";
import { listen, type Listening } from "../../src/runtime/serve.ts";

export const quietLogger = () =>
  createConsola({ level: Number(process.env.TEST_LOG_LEVEL ?? LogLevels.silent) }).withTag("test");

export interface ProxyOptions {
  upstreamUrl: string;
  profile?: ProfileName;
  backend?: Partial<OpenAICompatibleOptions>;
  app?: Partial<AppDeps>;
}

export async function startProxy(opts: ProxyOptions): Promise<Listening> {
  const logger = quietLogger();
  const backend = new OpenAICompatibleBackend({
    profile: PROFILES[opts.profile ?? "openai"],
    baseUrl: opts.upstreamUrl,
    logger,
    retryBaseMs: 10,
    ...opts.backend,
  });
  const app = createApp({ backend, logger, routing: { model: "test-model" }, ...opts.app });
  return listen(app.fetch, { hostname: "127.0.0.1", port: 0 });
}
