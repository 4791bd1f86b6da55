// The .anyclauderc.json file, as valibot checks it. Keys and env names follow the seed project so
// its users can switch without rewriting their config.
import * as v from "valibot";

// "openai" is any other OpenAI-compatible server (no quirks assumed).
export const MODES = ["mlx", "lmstudio", "ollama", "llamacpp", "vllm", "openrouter", "openai", "claude"] as const;
export type Mode = (typeof MODES)[number];
/** Accepted spellings, mapped to a mode. */
export const MODE_ALIASES: Record<string, Mode> = { "vllm-mlx": "mlx", "llama.cpp": "llamacpp", anthropic: "claude" };

const url = v.pipe(v.string(), v.regex(/^https?:\/\/[^\s/]+/, "a URL such as http://127.0.0.1:1234/v1"));
const port = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535));
const modelMap = v.record(v.string(), v.string());

/**
 * Longest wait a timer can hold (2^31 - 1 ms, ~24.8 days): a longer one fires at once, in Bun and Node
 * alike, and a limit set beyond it would time out every request immediately.
 */
const MAX_TIMER_SECONDS = 2_147_483;

export const BackendFileSchema = v.strictObject({
  /** false: never picked by default (Apple Silicon's mlx, probing local servers); naming the backend still picks it. */
  enabled: v.optional(v.boolean()),
  port: v.optional(port),
  baseUrl: v.optional(url),
  apiKey: v.optional(v.string()),
  model: v.optional(v.string()),
  smallModel: v.optional(v.string()),
  models: v.optional(modelMap),
  contextLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024))),
  /** Speak the backend's native Anthropic endpoint instead of translating (Ollama ≥ 0.14, llama-server, LM Studio, vLLM). */
  protocol: v.optional(v.picklist(["openai", "anthropic"])),
  /** MLX: the Python interpreter that has mlx-lm installed. */
  python: v.optional(v.string()),
  /** MLX: a server script to run instead of the embedded one. */
  serverScript: v.optional(v.string()),
  /** MLX: extra flags for the managed server (e.g. ["--cache-mb", "12000"]). */
  serverArgs: v.optional(v.array(v.string())),
  /** MLX: seconds to wait for the model to load. */
  readyTimeoutSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(MAX_TIMER_SECONDS))),
});

export const ConfigFileSchema = v.strictObject({
  $schema: v.optional(v.string()),
  backend: v.optional(v.pipe(v.string(), v.check((m) => m in MODE_ALIASES || (MODES as readonly string[]).includes(m), `one of ${MODES.join(", ")}`))),
  backends: v.optional(v.strictObject(Object.fromEntries(MODES.map((m) => [m, v.optional(BackendFileSchema)])))),
  model: v.optional(v.string()),
  smallModel: v.optional(v.string()),
  models: v.optional(modelMap),
  proxyOnly: v.optional(v.boolean()),
  host: v.optional(v.string()),
  port: v.optional(port),
  claude: v.optional(v.strictObject({ path: v.optional(v.string()) })),
  debug: v.optional(
    v.strictObject({
      level: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(3))),
      enableTraces: v.optional(v.boolean()),
    }),
  ),
  traces: v.optional(v.strictObject({ keepDays: v.optional(v.pipe(v.number(), v.minValue(0))), dir: v.optional(v.string()) })),
  context: v.optional(v.strictObject({ truncate: v.optional(v.boolean()) })),
  /** Web origins (scheme://host[:port]) allowed to call the proxy from a browser; all others are refused. */
  allowedOrigins: v.optional(v.array(v.pipe(v.string(), v.regex(/^https?:\/\/[^\s/]+$/, "an origin such as http://localhost:3000 (no path)")))),
  /** The key clients must send to `serve` (x-api-key or Bearer); generated when serving beyond loopback without one. */
  proxyApiKey: v.optional(v.pipe(v.string(), v.minLength(16, "a key of at least 16 characters"))),
  /** Largest request body accepted, in MB (Claude Code sends a few MB with images). */
  maxRequestMB: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(256))),
  /** Stream idle limit in seconds before the upstream is given up on. */
  idleTimeoutSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(MAX_TIMER_SECONDS))),
});

export type ConfigFile = v.InferOutput<typeof ConfigFileSchema>;
export type BackendFile = v.InferOutput<typeof BackendFileSchema>;
