// `anyclaude test-model` (also `--test-model`): will this model work with Claude Code? Probes
// through the real proxy, speed, optional real Claude Code tasks, a verdict with advice.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { defineCommand } from "citty";
import { STOP_SIGNALS, signalExitCode } from "../runtime/signals.ts";
import { type ConsolaInstance, createConsola, LogLevels } from "consola";
import { createBackend } from "../backends/create.ts";
import { CLAUDE_INSTALL_HINT, findClaude } from "../launcher/find-claude.ts";
import { runProbes } from "../testmodel/run-probes.ts";
import { runTasks, type TaskOutcome } from "../testmodel/run-tasks.ts";
import { type ModelTestResult, RESULT_KIND, renderScorecard, saveResult } from "../testmodel/result.ts";
import { fetchMlxCache } from "../testmodel/speed.ts";
import { adviceFor, verdictOf } from "../testmodel/verdict.ts";
import { startCommand } from "./choose-mode.ts";
import { backendArgs, jsonArg, proxyArgs } from "./options.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { exitAfterOutput, printLine } from "./output.ts";
import { startProxy } from "./start-proxy.ts";

export const testModelArgs = {
  // The proxy here is test-model's own (loopback, a free port, no web pages): only the backend's flags.
  ...backendArgs,
  "small-model": proxyArgs["small-model"],
  trace: proxyArgs.trace,
  tasks: { type: "boolean", description: "Also run real agentic tasks with the Claude Code CLI, each in a fresh temp folder" },
  ...jsonArg,
  timeout: { type: "string", description: "Seconds one probe or task may take (default 300)" },
} as const;

/** A logger for the proxy that keeps every line (the runner reads argument repairs from it) and passes on what the user would see. */
function notingLogger(user: ConsolaInstance): { logger: ConsolaInstance; take(): string[] } {
  let lines: string[] = [];
  const logger = createConsola({
    level: LogLevels.debug,
    reporters: [
      {
        log(obj) {
          lines.push(obj.args.map(String).join(" "));
          if (obj.level <= user.level) user.log({ ...obj, tag: "anyclaude" });
        },
      },
    ],
  });
  return {
    logger,
    take() {
      const taken = lines;
      lines = [];
      return taken;
    },
  };
}

export const testModelCommand = defineCommand({
  meta: { name: "test-model", description: "Check whether the configured or given model works with Claude Code (probes, speed, verdict)" },
  args: testModelArgs,
  async run({ args }) {
    const started = await startCommand(args);
    const { logger, mode } = started;
    const config = { ...started.config, host: "127.0.0.1", port: 0 };
    if (mode === "claude") throw new CliError("test-model checks a model through anyclaude's translation; claude mode is the Anthropic API itself. Pass --mode.", EXIT_USAGE);
    const timeoutSeconds = Number(args.timeout ?? 300);
    if (!(timeoutSeconds > 0)) throw new CliError(`--timeout: expected a number of seconds, found "${args.timeout}"`, EXIT_USAGE);
    const claudePath = args.tasks ? findClaude(config.claudePath) : null;
    if (args.tasks && !claudePath)
      throw new CliError(`--tasks runs Claude Code, and claude was not found${config.claudePath ? ` at ${config.claudePath}` : " on PATH"}; install it with: ${CLAUDE_INSTALL_HINT}`, 127);
    const settings = config.backends[mode];
    // A server that is not there is one line, before anything starts (a managed MLX server says why itself).
    if (!(mode === "mlx" && !settings.baseUrlConfigured)) {
      const down = await createBackend(settings, logger, config.idleTimeoutMs)
        .describe(AbortSignal.timeout(5000), settings.model)
        .then(() => null, (e: Error) => e);
      if (down) throw new CliError(`${mode} at ${settings.baseUrl} does not answer (${down.message}); start it, or pass --mode/--base-url`);
    }
    const notes = notingLogger(logger);
    const launchKey = `anyclaude-${randomBytes(24).toString("base64url")}`;
    const proxy = await startProxy(config, mode, notes.logger, { requiredApiKey: launchKey });
    const stop = async (code: number): Promise<never> => {
      // A stalled stream must not keep us here (on Node the server waits for open connections);
      // Claude Code and the task folders go on exit, the MLX server when its stdin closes.
      await Promise.race([proxy.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
      return exitAfterOutput(code);
    };
    for (const signal of STOP_SIGNALS) process.once(signal, () => void stop(signalExitCode(signal)));
    // anyclaude's MLX server reports its cache at GET /v1/cache; its URL is the backend's.
    const mlxUrl = mode === "mlx" ? (await proxy.backend.describe(AbortSignal.timeout(5000)).catch(() => null))?.baseUrl : undefined;
    const say = (line: string) => !args.json && logger.log(line);
    say(`testing ${mode}/${proxy.model} through the proxy at ${proxy.url}`);

    const startedAt = new Date().toISOString();
    const target = { url: proxy.url, apiKey: launchKey, timeoutMs: timeoutSeconds * 1000 };
    const run = await runProbes(target, notes, {
      onProbe: (p) => say(`${p.pass ? "✓" : "✗"} ${p.title}: ${p.reason}`),
      ...(mlxUrl ? { mlxCache: () => fetchMlxCache(mlxUrl) } : {}),
    });
    // No probe got an answer (HTTP errors, a hung server): that is the server, not the model; one line.
    const first = run.probes[0]!;
    if (run.probes.filter((p) => p.id !== "markup" && p.id !== "repairs").every((p) => p.noAnswer)) {
      await Promise.race([proxy.stop(), new Promise((r) => setTimeout(r, 2000).unref())]);
      throw new CliError(`${mode} at ${settings.baseUrl} answered no probe (${first.reason.replace(/^error: /, "")}); check the server's own log, or pass --mode/--base-url`);
    }
    let tasks: TaskOutcome[] | null = null;
    if (claudePath) {
      say("running Claude Code tasks…");
      const taskTarget = { claudePath, proxyUrl: proxy.url, launchKey, timeoutMs: target.timeoutMs, ...(proxy.contextWindow ? { contextWindow: proxy.contextWindow } : {}) };
      tasks = await runTasks(taskTarget, (t) => say(`${t.pass ? "✓" : "✗"} task ${t.title}: ${t.reason}`));
    }
    const input = { mode, probes: run.probes, tasks, repairs: run.repairs, speed: run.speed, contextWindow: proxy.contextWindow, smallModel: settings.smallModel };
    const result: ModelTestResult = {
      kind: RESULT_KIND,
      version: 1,
      mode,
      model: proxy.model,
      contextWindow: proxy.contextWindow ?? null,
      startedAt,
      probes: run.probes,
      repairs: run.repairs,
      speed: run.speed,
      tasks,
      verdict: verdictOf(input),
      advice: adviceFor(input),
    };
    const dir = join(config.home, ".anyclaude", "model-tests");
    let saved: string | null = null;
    try {
      saved = saveResult(dir, result);
    } catch (e) {
      logger.warn(`could not save the result in ${dir}: ${(e as Error).message}`);
    }
    if (args.json) printLine(JSON.stringify(result, null, 2));
    else {
      printLine(`\n${renderScorecard(result)}`);
      if (saved) logger.info(`saved ${saved}; compare models with: anyclaude trace compare ${dir} --html models.html`);
    }
    return stop(result.verdict === "not usable for tools" ? 1 : 0);
  },
});
