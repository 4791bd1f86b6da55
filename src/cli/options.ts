// Flags shared by the commands, and turning them into a Config. Each command declares only the
// flags it uses, so `--help` never lists one that does nothing.
import { homedir } from "node:os";
import type { ArgsDef } from "citty";
import { type Config, ConfigError, type Flags, resolveConfig } from "../config/load.ts";
import { readConfigText } from "../config/read-file.ts";

/** Choosing and reaching a backend, plus the config file and logging: every backend-facing command. */
export const backendArgs = {
  mode: { type: "string", description: "mlx (vllm-mlx), lmstudio, ollama, llamacpp, vllm, openrouter, openai, claude" },
  backend: { type: "string", description: "Alias of --mode" },
  model: { type: "string", description: "Backend model for Claude Code's main requests" },
  "base-url": { type: "string", description: "Backend URL (…/v1 for OpenAI-compatible servers)" },
  "api-key": { type: "string", description: "Backend API key (prefer the environment or config file)" },
  config: { type: "string", description: "Read this config file instead of .anyclauderc.json" },
  debug: { type: "boolean", description: "Verbose logging; a bug prints its stack trace" },
} as const satisfies ArgsDef;

/** Only the config file and logging: commands that read local files. */
export const configArgs = { config: backendArgs.config, debug: backendArgs.debug } as const satisfies ArgsDef;

/** The running proxy's flags: `serve` and the launcher. */
export const proxyArgs = {
  ...backendArgs,
  "small-model": { type: "string", description: "Backend model for haiku-class background requests" },
  port: { type: "string", description: "Proxy port (0 picks a free one)" },
  host: { type: "string", description: "Address to bind (default 127.0.0.1)" },
  trace: { type: "boolean", description: "Record traces of every exchange" },
  "allow-origin": { type: "string", description: "Let web pages from these origins call the proxy (comma-separated)" },
} as const satisfies ArgsDef;

export const jsonArg = { json: { type: "boolean", description: "Print JSON for scripts (on stdout)" } } as const satisfies ArgsDef;

type ParsedProxyArgs = { [K in keyof typeof proxyArgs]?: string | boolean };

export function flagsFrom(args: ParsedProxyArgs & { "proxy-only"?: boolean }): Flags {
  const str = (k: keyof ParsedProxyArgs) => (typeof args[k] === "string" ? (args[k] as string) : undefined);
  const port = str("port");
  if (port !== undefined && !(/^\d+$/.test(port) && Number(port) <= 65535)) throw new ConfigError(`--port: expected a number from 0 to 65535 (0 picks a free port), found "${port}"`);
  return {
    mode: str("mode") ?? str("backend"),
    model: str("model"),
    smallModel: str("small-model"),
    baseUrl: str("base-url"),
    apiKey: str("api-key"),
    port: port !== undefined ? Number(port) : undefined,
    host: str("host"),
    config: str("config"),
    debug: args.debug ? 1 : undefined,
    trace: args.trace ? true : undefined,
    proxyOnly: args["proxy-only"] ? true : undefined,
    allowOrigins: str("allow-origin")?.split(",").map((o) => o.trim()).filter(Boolean),
  };
}

/** The one place the home folder is found: $HOME, else the OS's idea of it. */
export function loadConfig(flags: Flags, env: Record<string, string | undefined> = process.env): Config {
  return resolveConfig({
    cwd: process.cwd(),
    home: env.HOME || homedir(),
    env,
    flags,
    platform: process.platform,
    arch: process.arch,
    readFile: readConfigText,
  });
}
