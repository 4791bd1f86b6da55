// Composition root shared by `serve` and the launcher: config → backend → app → listening proxy.
import { join } from "node:path";
import type { ConsolaInstance } from "consola";
import pkg from "../../package.json" with { type: "json" };
import { chooseModel, type ModelChoice, preferredModel } from "../backends/choose-model.ts";
import { followLoadedModel } from "../backends/loaded-model.ts";
import { missingKeyFix, SERVERS } from "../backends/servers.ts";
import { windowProblem } from "../backends/window-check.ts";
import { createBackend } from "../backends/create.ts";
import type { Backend } from "../backends/types.ts";
import type { BackendConfig, Config } from "../config/load.ts";
import { redactUrls } from "../config/redact-url.ts";
import type { MlxServer } from "../supervisor/mlx-server.ts";
import { TraceRecorder } from "../trace/recorder.ts";
import { pruneTraces } from "../trace/store.ts";
import type { Mode } from "../config/schema.ts";
import { listen, type Listening } from "../runtime/serve.ts";
import { hostIsLoopback } from "../server/access.ts";
import { createApp } from "../server/app.ts";
import type { Routing } from "../server/routing.ts";
import { counterFor } from "../context/server-counter.ts";
import { localCounter } from "../context/text-counter.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";

export interface RunningProxy extends Listening {
  backend: Backend;
  /** The backend model answering main requests. */
  model: string;
  /** Where the backend is: the configured URL, or the managed MLX server's real port. */
  backendUrl: string;
  contextWindow?: number;
}

export async function startProxy(
  config: Config,
  mode: Mode,
  logger: ConsolaInstance,
  opts: { requiredApiKey?: string; /** How long a loaded-model lookup is reused (default 3 s). */ loadedModelTtlMs?: number } = {},
): Promise<RunningProxy> {
  let settings = config.backends[mode];
  // Before anything starts: a hosted service without its key would refuse every request Claude Code makes.
  const keyFix = !settings.apiKey && missingKeyFix(mode);
  if (keyFix) throw new CliError(`${SERVERS[mode].label} needs an API key: ${keyFix}`, EXIT_USAGE);
  // mlx mode without a configured URL: anyclaude runs the MLX server itself.
  const mlx = mode === "mlx" && !settings.baseUrlConfigured && config.mlxAutoLaunch ? await startManagedMlx(settings, config.home, logger) : undefined;
  if (mlx) settings = { ...settings, baseUrl: mlx.url };
  const backend = createBackend(settings, logger, config.idleTimeoutMs);
  let model = settings.model;
  let contextWindow = settings.contextLength;
  let loaded: Routing["loaded"];
  if (mode !== "claude") {
    // Learn the model (when not configured) and its context window from the backend itself.
    const info = await backend.describe(AbortSignal.timeout(3000), model).catch((e: Error) => {
      logger.warn(`${mode} at ${redactUrls(settings.baseUrl)} did not answer (${e.message}); requests will fail until it does`);
      return null;
    });
    const choice = chooseModel(info, model, contextWindow);
    const server = SERVERS[mode];
    if (model && info?.models.length && !info.models.some((m) => m.id === model))
      logger.warn(`${mode} does not list the model ${model} (it lists ${info.models.slice(0, 5).map((m) => m.id).join(", ")}${info.models.length > 5 ? ", …" : ""}); requests will fail unless the server loads it on demand`);
    if (!model) {
      model = choice.model ?? "default";
      const how = choice.fromServer === "loaded" ? ` (loaded in ${server.label})` : choice.fromServer === "listed" ? " (first listed by the server)" : "";
      if (choice.model) logger.info(`using ${mode} model ${model}${how}`);
      else if (info) logger.warn(`${server.label} has no model loaded; load one, or pass --model`);
      // Requests follow the model the user loads next, with its window (unless one is configured).
      if (server.followsLoadedModel) loaded = followLoaded(backend, server.label, logger, choice, settings.contextLength, opts.loadedModelTtlMs);
    }
    contextWindow = choice.contextWindow;
    const problem = choice.window && windowProblem(mode, model, choice.window);
    if (problem) logger.warn(problem);
  }
  const counter = counterFor(mode, settings.baseUrl, model ?? "default", settings.apiKey, localCounter(), (why) => logger.debug(`context: ${why}; counted with o200k_base`));
  const app = createApp({
    counter,
    backend,
    logger,
    // claude mode forwards Claude Code's own model ids.
    routing: { model: model ?? "default", smallModel: settings.smallModel, models: settings.models, ...(loaded ? { loaded } : {}) },
    requiredApiKey: opts.requiredApiKey,
    loopbackHostOnly: hostIsLoopback(config.host),
    allowedOrigins: config.allowedOrigins,
    bodyLimitBytes: config.maxRequestBytes,
    ...(contextWindow ? { context: { window: contextWindow, truncate: config.contextTruncate } } : {}),
    ...(config.traces.enabled ? { traces: startTraces(config, mode, logger) } : {}),
  });
  const listening = await listen(app.fetch, { hostname: config.host, port: config.port, collectWhenIdle: true }).catch(async (e: unknown) => {
    await mlx?.stop();
    throw listenFailure(e, config.host, config.port);
  });
  const stop = async () => {
    await listening.stop();
    await mlx?.stop();
  };
  return { ...listening, stop, backend, model: model ?? "default", backendUrl: settings.baseUrl, ...(contextWindow ? { contextWindow } : {}) };
}

function followLoaded(backend: Backend, label: string, logger: ConsolaInstance, choice: ModelChoice, configuredWindow: number | undefined, ttlMs?: number): Routing["loaded"] {
  const initial = choice.fromServer === "loaded" && choice.model ? { id: choice.model, ...(choice.contextWindow ? { contextWindow: choice.contextWindow } : {}) } : undefined;
  return followLoadedModel({
    label,
    logger,
    ...(initial ? { initial } : {}),
    ...(ttlMs !== undefined ? { ttlMs } : {}),
    lookup: async (signal) => {
      const info = await backend.describe(signal);
      const m = preferredModel(info.models);
      if (!m?.loaded) return undefined;
      const window = configuredWindow ?? (info.window?.basis === "served" ? info.window.tokens : m.contextWindow);
      return { id: m.id, ...(window ? { contextWindow: window } : {}) };
    },
  });
}

/** Why the proxy could not listen, as one line with what to do; anything unexpected stays as it is. */
export function listenFailure(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: string }).code;
  if (code === "EADDRINUSE") return new CliError(`port ${port} on ${host} is already in use; pick another with --port, or --port 0 for a free one`);
  if (code === "EACCES") return new CliError(`no permission to listen on ${host}:${port}; use a port above 1023, or --port 0 for a free one`);
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EINVAL") return new CliError(`cannot listen on ${host}: not an address of this machine; use --host 127.0.0.1`);
  return e;
}

// Loaded only here: the supervisor and its embedded files are of no use to a proxy in any other mode.
async function startManagedMlx(settings: BackendConfig, home: string, logger: ConsolaInstance): Promise<MlxServer> {
  const { defaultPython, startMlxServer } = await import("../supervisor/mlx-server.ts");
  return startMlxServer({
    python: settings.python ?? defaultPython(home),
    serverDir: join(home, ".anyclaude", "mlx-server", pkg.version),
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
