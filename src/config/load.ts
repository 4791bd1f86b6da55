// .anyclauderc.json (project, then home) + environment + flags → one frozen Config.
// Precedence: flags > env > project file > home file > defaults. Secrets are never printed.
import { join } from "node:path";
import * as v from "valibot";
import { SERVERS } from "../backends/servers.ts";
import { describeIssue } from "../protocol/issues.ts";
import { type BackendFile, type ConfigFile, ConfigFileSchema, MODE_ALIASES, MODES, type Mode } from "./schema.ts";
import { redactUrls } from "./redact-url.ts";
import { arrayInPlaceOfObject, keysAt, nearest } from "./suggest.ts";

export const CONFIG_FILE = ".anyclauderc.json";

export interface Flags {
  mode?: string;
  model?: string;
  smallModel?: string;
  baseUrl?: string;
  apiKey?: string;
  port?: number;
  host?: string;
  proxyOnly?: boolean;
  debug?: number;
  trace?: boolean;
  config?: string;
  allowOrigins?: string[];
}

export interface BackendConfig {
  mode: Mode;
  baseUrl: string;
  apiKey?: string;
  /** Undefined: use the first model the backend lists. */
  model?: string;
  smallModel?: string;
  models: Record<string, string>;
  contextLength?: number;
  protocol: "openai" | "anthropic";
  python?: string;
  serverScript?: string;
  serverArgs?: string[];
  readyTimeoutMs?: number;
  port?: number;
  /** False (backends.<mode>.enabled, a seed key): never chosen by default (Apple Silicon's mlx, probing); naming it still chooses it. */
  enabled: boolean;
  /** Set by a flag, env or file; otherwise anyclaude starts the MLX server itself (mlx mode). */
  baseUrlConfigured: boolean;
}

export interface Config {
  /** Undefined when nothing chose a mode and this is not Apple Silicon: the launcher probes. */
  mode: Mode | undefined;
  modeSource: "flag" | "env" | "file" | "default" | "none";
  backends: Record<Mode, BackendConfig>;
  proxyOnly: boolean;
  host: string;
  port: number;
  debugLevel: number;
  traces: { enabled: boolean; keepDays: number; dir: string };
  contextTruncate: boolean;
  idleTimeoutMs: number;
  /** Browser origins allowed to call the proxy (flag and file together). */
  allowedOrigins: string[];
  /** The key `serve` requires, when configured. */
  proxyApiKey?: string;
  maxRequestBytes: number;
  claudePath?: string;
  /** Config files that were read, in the order applied. */
  files: string[];
  /** The user's home folder: ~/.anyclaude, ~/.claude.json and the default traces live under it. */
  home: string;
  /** mlx mode without a URL starts anyclaude's MLX server; ANYCLAUDE_NO_AUTO_LAUNCH=true (the seed's name) uses one already running instead. */
  mlxAutoLaunch: boolean;
}

export interface ConfigInputs {
  cwd: string;
  home: string;
  env: Record<string, string | undefined>;
  flags: Flags;
  platform: string;
  arch: string;
  readFile: (path: string) => string | undefined;
}

export class ConfigError extends Error {}

export function parseMode(value: string, where: string): Mode {
  const m = MODE_ALIASES[value] ?? value;
  if ((MODES as readonly string[]).includes(m)) return m as Mode;
  throw new ConfigError(`${where}: expected one of ${MODES.join(", ")} (or vllm-mlx), found "${value}"`);
}

function readConfigFile(path: string, text: string): ConfigFile {
  let json: unknown;
  try {
    // Editors on Windows save a UTF-8 byte order mark; JSON.parse refuses it.
    json = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    const comments = /^\s*(\/\/|\/\*)/m.test(text) ? "; comments are not allowed in it" : "";
    throw new ConfigError(`bad config in ${path}: not valid JSON (${(e as Error).message})${comments}`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new ConfigError(`bad config in ${path}: expected a JSON object such as {"backend": "lmstudio"}, found ${Array.isArray(json) ? "an array" : JSON.stringify(json)}`);
  // valibot's object schemas take arrays (typeof [] is "object"); {"backends": []} is a mistake.
  const arrayAt = arrayInPlaceOfObject(ConfigFileSchema, json, []);
  if (arrayAt) throw new ConfigError(`bad config in ${path} at ${arrayAt.join(".")}: expected an object {…}, found an array`);
  const result = v.safeParse(ConfigFileSchema, json);
  if (result.success) return result.output;
  const issue = describeIssue(result.issues[0]);
  const at = issue.path.length ? issue.path.join(".") : "(top level)";
  if (issue.type === "strict_object" && issue.expected === "never") {
    const key = issue.path.at(-1) ?? "";
    const valid = keysAt(ConfigFileSchema, issue.path.slice(0, -1)).filter((k) => k !== "$schema");
    const guess = nearest(key, valid);
    throw new ConfigError(`bad config in ${path} at ${at}: unknown key${guess ? ` (did you mean ${guess}?)` : `; known keys here: ${valid.join(", ")}`}`);
  }
  // Our regex/check actions carry a readable message; their `expected` is the raw pattern.
  const expected = issue.type === "integer" ? "a whole number" : issue.type === "regex" || issue.type === "check" || !issue.expected ? issue.message : issue.expected;
  throw new ConfigError(`bad config in ${path} at ${at}: expected ${expected}, found ${issue.received}`);
}

/** `http://host:1234` and `http://host:1234/` mean the OpenAI root `/v1`. */
function normaliseBaseUrl(url: string, mode: Mode): string {
  const trimmed = url.replace(/\/+$/, "");
  if (mode === "claude") return trimmed.replace(/\/v1$/, "");
  try {
    return new URL(trimmed).pathname === "/" || new URL(trimmed).pathname === "" ? `${trimmed}/v1` : trimmed;
  } catch {
    throw new ConfigError(`base URL for ${mode}: expected a URL such as http://127.0.0.1:1234/v1, found "${url}"`);
  }
}

function envInt(env: ConfigInputs["env"], name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new ConfigError(`environment variable ${name}: expected a positive whole number, found "${raw}"`);
  return n;
}

/** ANYCLAUDE_DEBUG as the seed project accepted it: 0-3, or true/yes/on (1) and false/no/off (0). */
export function debugLevelFromEnv(raw: string | undefined): number | undefined {
  if (raw === undefined || raw.trim() === "") return undefined;
  const value = raw.trim().toLowerCase();
  if (/^[0-3]$/.test(value)) return Number(value);
  if (/^(true|yes|on)$/.test(value)) return 1;
  if (/^(false|no|off)$/.test(value)) return 0;
  throw new ConfigError(`environment variable ANYCLAUDE_DEBUG: expected 0-3, true or false, found "${raw}"`);
}

// A typo such as PROXY_ONLY=ture must not silently mean "off".
function envBool(env: ConfigInputs["env"], name: string): boolean | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`environment variable ${name}: expected true or false (1/0, yes/no, on/off), found "${raw}"`);
}

/** Seed-compatible env names → per-backend settings. */
function envBackends(env: ConfigInputs["env"]): Partial<Record<Mode, BackendFile>> {
  const pick = (o: BackendFile) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as BackendFile;
  return {
    lmstudio: pick({ baseUrl: env.LMSTUDIO_URL, model: env.LMSTUDIO_MODEL, contextLength: envInt(env, "LMSTUDIO_CONTEXT_LENGTH") }),
    mlx: pick({ baseUrl: env.VLLM_MLX_URL, model: env.VLLM_MLX_MODEL }),
    openrouter: pick({ apiKey: env.OPENROUTER_API_KEY, model: env.OPENROUTER_MODEL, baseUrl: env.OPENROUTER_BASE_URL }),
    ollama: pick({ baseUrl: env.OLLAMA_URL, model: env.OLLAMA_MODEL }),
    claude: pick({ apiKey: env.ANTHROPIC_API_KEY }),
  };
}

export function resolveConfig(inputs: ConfigInputs): Config {
  const { env, flags } = inputs;
  const files: string[] = [];
  const layers: ConfigFile[] = [];
  const paths = flags.config ? [flags.config] : [join(inputs.home, CONFIG_FILE), join(inputs.cwd, CONFIG_FILE)];
  for (const path of [...new Set(paths)]) {
    const text = inputs.readFile(path);
    if (text === undefined) {
      if (flags.config) throw new ConfigError(`config file ${path} does not exist`);
      continue;
    }
    layers.push(readConfigFile(path, text));
    files.push(path);
  }
  // Later layers win: home, then project.
  const file: ConfigFile = {};
  for (const layer of layers) {
    for (const [k, val] of Object.entries(layer)) {
      if (k === "backends" && file.backends && val && typeof val === "object") {
        const merged: Record<string, unknown> = { ...file.backends };
        for (const [m, b] of Object.entries(val)) merged[m] = { ...(merged[m] as object), ...(b as object) };
        file.backends = merged as ConfigFile["backends"];
      } else (file as Record<string, unknown>)[k] = val;
    }
  }

  let mode: Mode | undefined;
  let modeSource: Config["modeSource"] = "none";
  if (flags.mode) [mode, modeSource] = [parseMode(flags.mode, "--mode"), "flag"];
  else if (env.ANYCLAUDE_MODE) [mode, modeSource] = [parseMode(env.ANYCLAUDE_MODE, "ANYCLAUDE_MODE"), "env"];
  else if (file.backend) [mode, modeSource] = [parseMode(file.backend, "backend"), "file"];
  else if (inputs.platform === "darwin" && inputs.arch === "arm64" && file.backends?.mlx?.enabled !== false) [mode, modeSource] = ["mlx", "default"];

  const fromEnv = envBackends(env);
  const backends = {} as Record<Mode, BackendConfig>;
  for (const m of MODES) {
    const f = (file.backends?.[m] ?? {}) as BackendFile;
    const e = fromEnv[m] ?? {};
    // Flags and top-level model settings apply to the chosen mode only.
    const chosen = m === mode;
    const configuredUrl = (chosen ? flags.baseUrl : undefined) ?? e.baseUrl ?? f.baseUrl ?? (f.port ? `http://127.0.0.1:${f.port}/v1` : undefined);
    const baseUrl = configuredUrl ?? SERVERS[m].baseUrl;
    backends[m] = {
      mode: m,
      baseUrl: normaliseBaseUrl(baseUrl, m),
      apiKey: (chosen ? flags.apiKey : undefined) ?? e.apiKey ?? f.apiKey,
      model: (chosen ? (flags.model ?? env.ANYCLAUDE_MODEL ?? file.model) : undefined) ?? e.model ?? f.model ?? SERVERS[m].defaultModel,
      smallModel: (chosen ? (flags.smallModel ?? file.smallModel) : undefined) ?? f.smallModel,
      models: { ...(chosen ? file.models : {}), ...f.models },
      contextLength: e.contextLength ?? f.contextLength,
      protocol: f.protocol ?? (m === "claude" ? "anthropic" : "openai"),
      python: f.python,
      serverScript: f.serverScript,
      serverArgs: f.serverArgs,
      readyTimeoutMs: f.readyTimeoutSeconds ? f.readyTimeoutSeconds * 1000 : undefined,
      port: f.port,
      enabled: f.enabled ?? true,
      baseUrlConfigured: configuredUrl !== undefined,
    };
  }

  const debugLevel = flags.debug ?? debugLevelFromEnv(env.ANYCLAUDE_DEBUG) ?? file.debug?.level ?? 0;
  const tracesByDefault = mode === "claude" || mode === "openrouter";
  const config: Config = {
    mode,
    modeSource,
    backends,
    proxyOnly: flags.proxyOnly ?? envBool(env, "PROXY_ONLY") ?? file.proxyOnly ?? false,
    host: flags.host ?? file.host ?? "127.0.0.1",
    port: flags.port ?? file.port ?? 0,
    debugLevel,
    traces: {
      enabled: flags.trace ?? file.debug?.enableTraces ?? tracesByDefault,
      keepDays: file.traces?.keepDays ?? 14,
      dir: file.traces?.dir ?? join(inputs.home, ".anyclaude", "traces"),
    },
    contextTruncate: file.context?.truncate ?? false,
    idleTimeoutMs: (file.idleTimeoutSeconds ?? 300) * 1000,
    allowedOrigins: [...(file.allowedOrigins ?? []), ...(flags.allowOrigins ?? [])],
    ...(file.proxyApiKey ? { proxyApiKey: file.proxyApiKey } : {}),
    maxRequestBytes: Math.round((file.maxRequestMB ?? 32) * 1024 * 1024),
    claudePath: file.claude?.path,
    files,
    home: inputs.home,
    mlxAutoLaunch: !envBool(env, "ANYCLAUDE_NO_AUTO_LAUNCH"),
  };
  return Object.freeze(config);
}

/** For `--debug` and doctor: the config with every secret replaced. */
export function redactedConfig(config: Config): unknown {
  const secret = (k: string) => k === "apiKey" || k === "proxyApiKey";
  return JSON.parse(JSON.stringify(config, (k, val) => (secret(k) && val ? "<redacted>" : typeof val === "string" ? redactUrls(val) : val)));
}
