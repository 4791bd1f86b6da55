// Config → Backend. The only place that knows which class serves which mode.
import type { ConsolaInstance } from "consola";
import type { BackendConfig } from "../config/load.ts";
import { AnthropicBackend } from "./anthropic.ts";
import { OpenAICompatibleBackend } from "./openai-compatible.ts";
import { PROFILES } from "./profiles.ts";
import { SERVERS } from "./servers.ts";
import type { Backend } from "./types.ts";

export function createBackend(config: BackendConfig, logger: ConsolaInstance, idleTimeoutMs?: number): Backend {
  if (config.mode === "claude" || config.protocol === "anthropic") {
    return new AnthropicBackend({
      name: config.mode,
      baseUrl: config.mode === "claude" ? config.baseUrl : config.baseUrl.replace(/\/v1$/, ""),
      apiKey: config.apiKey,
      official: config.mode === "claude",
      server: SERVERS[config.mode],
      logger,
      idleTimeoutMs,
    });
  }
  return new OpenAICompatibleBackend({
    profile: PROFILES[config.mode],
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    logger,
    idleTimeoutMs,
  });
}
