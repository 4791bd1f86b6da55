// Composition root shared by `serve` and the launcher: config → backend → app → listening proxy.
import type { ConsolaInstance } from "consola";
import { chooseModel } from "../backends/choose-model.ts";
import { createBackend } from "../backends/create.ts";
import type { Backend } from "../backends/types.ts";
import type { BackendConfig, Config } from "../config/load.ts";
import { defaultPython, type MlxServer, startMlxServer } from "../supervisor/mlx-server.ts";
import { TraceRecorder } from "../trace/recorder.ts";
import { pruneTraces } from "../trace/store.ts";
import type { Mode } from "../config/schema.ts";
import { listen, type Listening } from "../runtime/serve.ts";
import { hostIsLoopback } from "../server/access.ts";
import { createApp } from "../server/app.ts";

/** Below this, Claude Code's own prompt (system + tools, ~15k tokens) leaves no room to work. */
export const MIN_USEFUL_WINDOW = 20_000;

export const WINDOW_FIX: Partial<Record<Mode, string>> = {
  ollama: "Set OLLAMA_CONTEXT_LENGTH=32768 for `ollama serve`, or `PARAMETER num_ctx 32768` in the Modelfile.",
  lmstudio: "Load the model with a larger context length (LM Studio: model settings → Context Length).",
  llamacpp: "Start llama-server with a larger --ctx-size (e.g. -c 32768).",
  vllm: "Start vLLM with a larger --max-model-len.",
  mlx: "Pass --context-window in backends.mlx.serverArgs, or use a model with a longer context.",
};

export interface RunningProxy extends Listening {
  backend: Backend;
  /** The backend model answering main requests. */
  model: string;
  contextWindow?: number;
}

export async function startProxy(
  config: Config,
  mode: Mode,
  logger: ConsolaInstance,
  opts: { requiredApiKey?: string } = {},
): Promise<RunningProxy> {
  let settings = config.backends[mode];
  // mlx mode without a configured URL: anyclaude runs the MLX server itself.
  const mlx = mode === "mlx" && !settings.baseUrlConfigured ? await startManagedMlx(settings, logger) : undefined;
  if (mlx) settings = { ...settings, baseUrl: mlx.url };
  const backend = createBackend(settings, logger, config.idleTimeoutMs);
  let model = settings.model;
  let contextWindow = settings.contextLength;
  if (mode !== "claude") {
    // Learn the model (when not configured) and its context window from the backend itself.
    const info = await backend.describe(AbortSignal.timeout(3000), model).catch((e: Error) => {
      logger.warn(`${mode} at ${settings.baseUrl} did not answer (${e.message}); requests will fail until it does`);
      return null;
    });
    const choice = chooseModel(info, model, contextWindow);
    if (!model) {
      model = choice.model ?? "default";
      logger.info(`using ${mode} model ${model}${choice.fromServer ? " (first listed by the server)" : ""}`);
    }
    contextWindow = choice.contextWindow;
    if (contextWindow && contextWindow < MIN_USEFUL_WINDOW)
      logger.warn(`${mode} serves ${model} with a ${contextWindow}-token context window; Claude Code's system prompt and tools alone take about 15k tokens. ${WINDOW_FIX[mode] ?? "Raise the server's context length."}`);
  }
  const app = createApp({
    backend,
    logger,
    // claude mode forwards Claude Code's own model ids.
    routing: { model: model ?? "default", smallModel: settings.smallModel, models: settings.models },
    requiredApiKey: opts.requiredApiKey,
    loopbackHostOnly: hostIsLoopback(config.host),
    ...(contextWindow ? { context: { window: contextWindow, truncate: config.contextTruncate } } : {}),
    ...(config.traces.enabled ? { traces: startTraces(config, mode, logger) } : {}),
  });
  const listening = await listen(app.fetch, { hostname: config.host, port: config.port });
  const stop = async () => {
    await listening.stop();
    await mlx?.stop();
  };
  return { ...listening, stop, backend, model: model ?? "default", ...(contextWindow ? { contextWindow } : {}) };
}

function startManagedMlx(settings: BackendConfig, logger: ConsolaInstance): Promise<MlxServer> {
  return startMlxServer({
    python: settings.python ?? defaultPython(),
    model: settings.model,
    args: settings.serverArgs,
    readyTimeoutMs: settings.readyTimeoutMs,
    logger,
    ...(settings.serverScript ? { script: settings.serverScript } : {}),
  });
}

function startTraces(config: Config, mode: Mode, logger: ConsolaInstance): TraceRecorder {
  try {
    const removed = pruneTraces(config.traces.dir, config.traces.keepDays);
    if (removed) logger.debug(`removed ${removed} traces older than ${config.traces.keepDays} days`);
  } catch (e) {
    logger.warn(`could not prune traces in ${config.traces.dir}: ${(e as Error).message}`);
  }
  logger.info(`recording traces in ${config.traces.dir}/${mode}`);
  return new TraceRecorder({ root: config.traces.dir, mode, logger });
}
