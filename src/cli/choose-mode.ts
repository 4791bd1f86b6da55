// The configured mode, or the first local server found on the usual ports.
import type { ConsolaInstance } from "consola";
import { probeLocalServers } from "../backends/probe.ts";
import type { Config } from "../config/load.ts";
import type { Mode } from "../config/schema.ts";

export async function chooseMode(config: Config, logger: ConsolaInstance): Promise<{ mode: Mode; config: Config } | null> {
  if (config.mode) return { mode: config.mode, config };
  const found = await probeLocalServers();
  if (!found) {
    logger.error(
      "no backend configured and none found on the usual ports (LM Studio 1234, Ollama 11434, llama.cpp 8080, vLLM 8000). " +
        "Start one, or pass --mode (see `anyclaude doctor`).",
    );
    return null;
  }
  logger.info(`no mode configured; found ${found.mode} at ${found.url}`);
  return { mode: found.mode, config: { ...config, mode: found.mode, modeSource: "default" } };
}
