import { describe, expect, test } from "bun:test";
import { type ConfigInputs, ConfigError, redactedConfig, resolveConfig } from "../../src/config/load.ts";
import { configJsonSchema } from "../../src/config/json-schema.ts";

const HOME = "/home/u";
const CWD = "/work/project";

function resolve(over: Partial<ConfigInputs> & { files?: Record<string, unknown> } = {}) {
  const files = over.files ?? {};
  return resolveConfig({
    cwd: CWD,
    home: HOME,
    env: {},
    flags: {},
    platform: "linux",
    arch: "x64",
    readFile: (p) => (p in files ? (typeof files[p] === "string" ? (files[p] as string) : JSON.stringify(files[p])) : undefined),
    ...over,
  });
}
const project = (o: unknown) => ({ [`${CWD}/.anyclauderc.json`]: o });
const home = (o: unknown) => ({ [`${HOME}/.anyclauderc.json`]: o });

describe("mode precedence: flags > env > project file > home file > default", () => {
  const cases: [string, Partial<ConfigInputs> & { files?: Record<string, unknown> }, string | undefined, string][] = [
    ["nothing on linux: probe later", {}, undefined, "none"],
    ["nothing on Apple Silicon: mlx", { platform: "darwin", arch: "arm64" }, "mlx", "default"],
    ["home file", { files: home({ backend: "ollama" }) }, "ollama", "file"],
    ["project file beats home file", { files: { ...home({ backend: "ollama" }), ...project({ backend: "lmstudio" }) } }, "lmstudio", "file"],
    ["env beats files", { env: { ANYCLAUDE_MODE: "vllm" }, files: project({ backend: "lmstudio" }) }, "vllm", "env"],
    ["flag beats env", { env: { ANYCLAUDE_MODE: "vllm" }, flags: { mode: "openrouter" } }, "openrouter", "flag"],
    ["alias vllm-mlx", { flags: { mode: "vllm-mlx" } }, "mlx", "flag"],
    ["seed file key backend: vllm-mlx", { files: project({ backend: "vllm-mlx" }) }, "mlx", "file"],
    ["Apple Silicon with mlx disabled: probe later", { platform: "darwin", arch: "arm64", files: project({ backends: { mlx: { enabled: false } } }) }, undefined, "none"],
    ["a disabled backend named by the file is still chosen", { files: project({ backend: "ollama", backends: { ollama: { enabled: false } } }) }, "ollama", "file"],
  ];
  for (const [name, inputs, mode, source] of cases) {
    test(name, () => {
      const c = resolve(inputs);
      expect(c.mode).toBe(mode as never);
      expect(c.modeSource).toBe(source as never);
    });
  }
});

describe("backend settings precedence", () => {
  const files = {
    ...home({ backends: { lmstudio: { model: "home-model", apiKey: "home-key" } } }),
    ...project({ backend: "lmstudio", backends: { lmstudio: { baseUrl: "http://10.0.0.5:1234/v1", model: "project-model" } } }),
  };
  const cases: [string, Partial<ConfigInputs>, object][] = [
    ["files merge per key, project wins", {}, { baseUrl: "http://10.0.0.5:1234/v1", model: "project-model", apiKey: "home-key" }],
    ["seed env names beat files", { env: { LMSTUDIO_URL: "http://127.0.0.1:4321", LMSTUDIO_MODEL: "env-model", LMSTUDIO_CONTEXT_LENGTH: "32768" } }, { baseUrl: "http://127.0.0.1:4321/v1", model: "env-model", contextLength: 32768 }],
    ["flags beat env", { env: { LMSTUDIO_MODEL: "env-model" }, flags: { model: "flag-model", baseUrl: "http://127.0.0.1:9/v1", apiKey: "flag-key" } }, { model: "flag-model", baseUrl: "http://127.0.0.1:9/v1", apiKey: "flag-key" }],
  ];
  for (const [name, inputs, want] of cases) {
    test(name, () => expect(resolve({ files, ...inputs }).backends.lmstudio).toMatchObject(want));
  }

  test("defaults per mode", () => {
    const c = resolve();
    expect(c.backends.lmstudio.baseUrl).toBe("http://127.0.0.1:1234/v1");
    expect(c.backends.ollama.baseUrl).toBe("http://127.0.0.1:11434/v1");
    expect(c.backends.llamacpp.baseUrl).toBe("http://127.0.0.1:8080/v1");
    expect(c.backends.vllm.baseUrl).toBe("http://127.0.0.1:8000/v1");
    expect(c.backends.openrouter.baseUrl).toBe("https://openrouter.ai/api/v1");
    expect(c.backends.claude).toMatchObject({ baseUrl: "https://api.anthropic.com", protocol: "anthropic" });
    expect(c.backends.lmstudio.model).toBeUndefined(); // learnt from the server
  });

  test("seed env names for MLX and OpenRouter", () => {
    const c = resolve({
      env: { VLLM_MLX_URL: "http://127.0.0.1:8081", VLLM_MLX_MODEL: "qwen", OPENROUTER_API_KEY: "sk-or", OPENROUTER_MODEL: "x/y", OPENROUTER_BASE_URL: "https://or.example/api/v1" },
    });
    expect(c.backends.mlx).toMatchObject({ baseUrl: "http://127.0.0.1:8081/v1", model: "qwen" });
    expect(c.backends.openrouter).toMatchObject({ apiKey: "sk-or", model: "x/y", baseUrl: "https://or.example/api/v1" });
  });

  test("a port in the file builds the URL", () => {
    expect(resolve({ files: project({ backends: { ollama: { port: 11500 } } }) }).backends.ollama.baseUrl).toBe("http://127.0.0.1:11500/v1");
  });

  test("flags apply to the chosen mode only", () => {
    const c = resolve({ flags: { mode: "ollama", model: "m" } });
    expect(c.backends.ollama.model).toBe("m");
    expect(c.backends.lmstudio.model).toBeUndefined();
  });

  test("top-level options", () => {
    const c = resolve({ env: { PROXY_ONLY: "true", ANYCLAUDE_DEBUG: "2" }, files: project({ debug: { enableTraces: true }, traces: { keepDays: 3 }, context: { truncate: true } }) });
    expect(c).toMatchObject({ proxyOnly: true, debugLevel: 2, traces: { enabled: true, keepDays: 3 }, contextTruncate: true, host: "127.0.0.1", port: 0 });
    expect(resolve({ flags: { mode: "claude" } }).traces.enabled).toBe(true);
    expect(resolve({ flags: { mode: "lmstudio" } }).traces.enabled).toBe(false);
  });
});

describe("bad config: file, JSON path, expected, found", () => {
  const file = `${CWD}/.anyclauderc.json`;
  const cases: [string, Partial<ConfigInputs> & { files?: Record<string, unknown> }, string][] = [
    ["wrong type deep inside", { files: project({ backends: { lmstudio: { port: "1234x" } } }) }, `bad config in ${file} at backends.lmstudio.port: expected number, found "1234x"`],
    ["unknown mode", { files: project({ backend: "gpt" }) }, `bad config in ${file} at backend: expected one of mlx, lmstudio, ollama, llamacpp, vllm, openrouter, openai, claude, found "gpt"`],
    ["bad URL", { files: project({ backends: { vllm: { baseUrl: "localhost:8000" } } }) }, `bad config in ${file} at backends.vllm.baseUrl: expected a URL such as http://127.0.0.1:1234/v1, found "localhost:8000"`],
    ["not JSON", { files: project("{ backend: lmstudio") }, `bad config in ${file}: not valid JSON (JSON Parse error: Expected '}')`],
    ["debug level out of range", { files: project({ debug: { level: 9 } }) }, `bad config in ${file} at debug.level: expected <=3, found 9`],
    ["bad env number", { env: { LMSTUDIO_CONTEXT_LENGTH: "big" } }, `environment variable LMSTUDIO_CONTEXT_LENGTH: expected a positive whole number, found "big"`],
    ["bad mode flag", { flags: { mode: "gpt4" } }, `--mode: expected one of mlx, lmstudio, ollama, llamacpp, vllm, openrouter, openai, claude (or vllm-mlx), found "gpt4"`],
    ["missing --config file", { flags: { config: "/nope.json" } }, "config file /nope.json does not exist"],
  ];
  for (const [name, inputs, message] of cases) {
    test(name, () => {
      expect(() => resolve(inputs)).toThrow(ConfigError);
      expect(() => resolve(inputs)).toThrow(message);
    });
  }
});

test("secrets are redacted when the config is shown", () => {
  const c = resolve({ env: { OPENROUTER_API_KEY: "sk-or-secret" }, flags: { mode: "openrouter" } });
  const text = JSON.stringify(redactedConfig(c));
  expect(text).not.toContain("sk-or-secret");
  expect(text).toContain("<redacted>");
});

test("the published JSON Schema describes the file", () => {
  const schema = configJsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
  expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["backend", "backends", "debug", "proxyOnly", "traces"]));
  expect(Object.keys(schema.properties.backends!.properties!)).toEqual(expect.arrayContaining(["mlx", "lmstudio", "openrouter", "claude"]));
});
