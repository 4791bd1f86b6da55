// `anyclaude doctor`: what works, what does not, and how to fix each ✗.
import { spawnSync } from "node:child_process";
import { defineCommand } from "citty";
import type { ConsolaInstance } from "consola";
import { chooseModel, type ModelChoice } from "../backends/choose-model.ts";
import { missingKeyFix, SERVERS, windowAdvice } from "../backends/servers.ts";
import type { ModelInfo } from "../backends/types.ts";
import { describeWindow, MIN_USEFUL_WINDOW, windowProblem } from "../backends/window-check.ts";
import { createBackend } from "../backends/create.ts";
import type { Config } from "../config/load.ts";
import { redactUrls } from "../config/redact-url.ts";
import type { Mode } from "../config/schema.ts";
import { CLAUDE_INSTALL_HINT, findClaude } from "../launcher/find-claude.ts";
import { hostIsLoopback } from "../server/access.ts";
import { defaultPython } from "../supervisor/mlx-server.ts";
import { chooseMode, loadCommandConfig } from "./choose-mode.ts";
import { backendArgs, jsonArg } from "./options.ts";
import { printLine } from "./output.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

function checkClaude(config: Config): Check {
  const path = findClaude(config.claudePath);
  if (!path) return { name: "claude", ok: false, detail: "not found on PATH", fix: CLAUDE_INSTALL_HINT };
  const out = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 10_000 });
  const version = out.stdout?.trim() || out.stderr?.trim() || "unknown version";
  return { name: "claude", ok: out.status === 0, detail: `${path} (${version})`, fix: out.status === 0 ? undefined : `reinstall: ${CLAUDE_INSTALL_HINT}` };
}

/** No answer at all (refused, unknown host, silence), as opposed to an answer we could not use. */
export function isUnreachable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return true;
  const code = err.code ?? err.cause?.code ?? "";
  if (/^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ConnectionRefused|ConnectionClosed|FailedToOpenSocket)$/.test(code)) return true;
  return /Unable to connect|fetch failed|unreachable/i.test(err.message ?? "");
}

async function checkBackend(config: Config, mode: Mode, logger: ConsolaInstance): Promise<Check[]> {
  const settings = config.backends[mode];
  const backend = createBackend(settings, logger);
  try {
    const info = await backend.describe(AbortSignal.timeout(5000), settings.model);
    const choice = chooseModel(info, settings.model, settings.contextLength);
    const { model } = choice;
    const found = info.models.find((m) => m.id === model);
    const usable = info.models.filter((m) => m.kind !== "embeddings");
    return [
      { name: `${mode} backend`, ok: true, detail: `reachable at ${redactUrls(settings.baseUrl)}` },
      {
        name: "model",
        ok: Boolean(model) && (mode === "claude" || Boolean(found) || info.models.length === 0),
        detail: model
          ? `${model}${found ? (found.loaded ? " (loaded)" : "") : " (not in the server's list)"}; ${info.models.length} listed`
          : `none ${usable.some((m) => m.loaded === false) ? "loaded" : "listed"}; ${info.models.length} listed`,
        fix: found || mode === "claude" ? undefined : modelFix(mode, model, usable, settings.baseUrl),
      },
      contextCheck(mode, model, choice),
    ];
  } catch (e) {
    const fix = isUnreachable(e)
      ? unreachableFix(mode, settings.baseUrl)
      : `something answers at ${redactUrls(settings.baseUrl)}, but not as a ${mode} server listing its models: check that the URL is the server's API root (usually ending in /v1) and that --mode matches the server`;
    return [{ name: `${mode} backend`, ok: false, detail: redactUrls(`${settings.baseUrl}: ${(e as Error).message}`), fix }];
  }
}

/** A hosted service (https, not this machine) is not something to start: the network or the URL is at fault. */
export function unreachableFix(mode: Mode, baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.protocol === "https:" && !hostIsLoopback(url.host)) return `cannot reach ${url.host}: check the network connection, or the URL (--base-url or backends.${mode}.baseUrl)`;
  return `start the ${mode} server, or set its URL (--base-url or backends.${mode}.baseUrl)`;
}

/** A hosted service that answers its model list without a key, then refuses every request. */
function apiKeyCheck(config: Config, mode: Mode, fix: string): Check {
  const ok = Boolean(config.backends[mode].apiKey);
  return { name: "api key", ok, detail: ok ? "set" : "none", ...(ok ? {} : { fix }) };
}

function modelFix(mode: Mode, model: string | undefined, usable: ModelInfo[], baseUrl: string): string {
  // Nothing at all: a server with no model yet, or something that is not this server (a web page,
  // another API) whose answer reads as an empty list.
  if (!usable.length)
    return `${baseUrl} lists no models: if it is ${SERVERS[mode].label}, load or download a model there; otherwise check that the URL is its API root (usually ending in /v1) and that --mode matches the server`;
  // Nothing chosen although models exist: the server lists them but has none loaded (LM Studio).
  if (!model && usable[0]) return `load one in ${SERVERS[mode].label} (e.g. ${usable[0].id}), or pass --model`;
  return `pick one of: ${usable.slice(0, 5).map((m) => m.id).join(", ")} (--model or backends.${mode}.model)`;
}

function contextCheck(mode: Mode, model: string | undefined, choice: ModelChoice): Check {
  const name = "context window";
  if (mode === "claude") return { name, ok: true, detail: choice.contextWindow ? `${choice.contextWindow} tokens` : "unknown" };
  if (choice.window && model) {
    const problem = windowProblem(mode, model, choice.window);
    return { name, ok: !problem, detail: describeWindow(choice.window), ...(problem ? { fix: problem } : {}) };
  }
  if (choice.contextWindow) {
    const ok = choice.contextWindow >= MIN_USEFUL_WINDOW;
    return { name, ok, detail: `${choice.contextWindow} tokens (configured)`, ...(ok ? {} : { fix: `too small for Claude Code (~15k tokens of system prompt and tools). ${windowAdvice(mode)}` }) };
  }
  return { name, ok: false, detail: "unknown", fix: `set backends.${mode}.contextLength so Claude Code compacts in time` };
}

function checkMlx(config: Config): Check {
  // The interpreter the proxy would start: the configured one, else ~/.anyclaude/venv, else python3.
  const python = config.backends.mlx.python ?? defaultPython(config.home);
  const out = spawnSync(python, ["-c", "import mlx_lm, sys; print(mlx_lm.__version__)"], { encoding: "utf8", timeout: 20_000 });
  return out.status === 0
    ? { name: "mlx-lm", ok: true, detail: `${python}: mlx-lm ${out.stdout.trim()}` }
    : { name: "mlx-lm", ok: false, detail: `${python} cannot import mlx_lm`, fix: "anyclaude setup mlx (Apple Silicon only)" };
}

const managesMlx = (config: Config) => !config.backends.mlx.baseUrlConfigured && config.mlxAutoLaunch;

function managedMlxCheck(config: Config): Check {
  const { model } = config.backends.mlx;
  return { name: "mlx server", ok: true, detail: `not running yet: anyclaude starts its own on a free port, loading ${model ?? "the model"} (use --base-url for one already running)` };
}

export const doctorCommand = defineCommand({
  meta: { name: "doctor", description: "Check Claude Code, the backend, its models and context window (exit 1 if any ✗)" },
  args: { ...backendArgs, ...jsonArg },
  async run({ args }) {
    const { config, logger } = loadCommandConfig(args);
    const checks: Check[] = [checkClaude(config)];
    const chosen = await chooseMode(config, logger);
    if (chosen) {
      checks.push({ name: "mode", ok: true, detail: `${chosen.mode} (from ${chosen.config.modeSource})` });
      if (chosen.mode === "mlx") checks.push(checkMlx(chosen.config));
      // No URL given: anyclaude starts its own MLX server, so nothing is expected to answer yet and
      // the interpreter checked above is what decides whether it will work.
      if (chosen.mode === "mlx" && managesMlx(chosen.config)) checks.push(managedMlxCheck(chosen.config));
      else checks.push(...(await checkBackend(chosen.config, chosen.mode, logger)));
      const keyFix = missingKeyFix(chosen.mode);
      if (keyFix) checks.push(apiKeyCheck(chosen.config, chosen.mode, keyFix));
    } else checks.push({ name: "mode", ok: false, detail: "none configured or found", fix: "pass --mode or set backend in .anyclauderc.json" });
    if (config.files.length) checks.push({ name: "config", ok: true, detail: config.files.join(", ") });
    const code = checks.every((c) => c.ok) ? 0 : 1;
    if (args.json) {
      printLine(JSON.stringify({ ok: code === 0, checks }, null, 2));
      return code;
    }
    const width = Math.max(...checks.map((c) => c.name.length));
    for (const c of checks) printLine(`${c.ok ? "✓" : "✗"} ${c.name.padEnd(width)}  ${c.detail}${c.fix ? `\n  ${" ".repeat(width)}  fix: ${c.fix}` : ""}`);
    return code;
  },
});
