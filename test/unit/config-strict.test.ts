// A config file that protects the user: unknown or misspelled keys stop anyclaude with the file,
// the JSON path and the nearest valid key; a BOM is fine; URL credentials are never printed.
import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, redactedConfig, resolveConfig } from "../../src/config/load.ts";
import { readConfigText } from "../../src/config/read-file.ts";
import { redactUrls } from "../../src/config/redact-url.ts";
import { editDistance, nearest } from "../../src/config/suggest.ts";
import { redactValue } from "../../src/trace/redact.ts";
import { tempDir } from "../helpers/processes.ts";

const FILE = "/work/p/.anyclauderc.json";
const load = (text: string) =>
  resolveConfig({ cwd: "/work/p", home: "/home/u", env: {}, flags: {}, platform: "linux", arch: "x64", readFile: (p) => (p === FILE ? text : undefined) });
const failure = (text: string) => {
  try {
    load(text);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("accepted");
};

describe("unknown keys stop with the path and a suggestion", () => {
  const cases: [string, unknown, string][] = [
    ["top level typo", { bakends: {} }, `bad config in ${FILE} at bakends: unknown key (did you mean backends?)`],
    ["baseURL for baseUrl", { backends: { lmstudio: { baseURL: "http://h:1/v1" } } }, `at backends.lmstudio.baseURL: unknown key (did you mean baseUrl?)`],
    ["misspelled mode", { backends: { lmstdio: {} } }, `at backends.lmstdio: unknown key (did you mean lmstudio?)`],
    ["nested section", { context: { trunc: true } }, `at context.trunc: unknown key (did you mean truncate?)`],
    ["nothing close", { zzzzzzzz: 1 }, `at zzzzzzzz: unknown key; known keys here: backend, backends,`],
  ];
  for (const [name, file, want] of cases) test(name, () => expect(failure(JSON.stringify(file))).toContain(want));

  const notObjects: [string, string][] = [["an array", "[]"], ["a string", '"lmstudio"'], ["null", "null"], ["a number", "3"]];
  for (const [name, text] of notObjects) test(`a file that is ${name}`, () => expect(failure(text)).toMatch(/expected a JSON object/));

  test("every documented key is still accepted", () => {
    const c = load(JSON.stringify({ backend: "lmstudio", backends: { lmstudio: { baseUrl: "http://h:1/v1", contextLength: 32768 } }, allowedOrigins: ["http://localhost:3000"], maxRequestMB: 8, context: { truncate: true } }));
    expect(c.allowedOrigins).toEqual(["http://localhost:3000"]);
    expect(c.maxRequestBytes).toBe(8 * 1024 * 1024);
  });

  test("an origin with a path is refused", () => expect(failure(JSON.stringify({ allowedOrigins: ["http://x.test/app"] }))).toMatch(/allowedOrigins\.0: expected an origin/));
});

test("a UTF-8 byte order mark is accepted", () => {
  expect(load(`\uFEFF${JSON.stringify({ backend: "ollama" })}`).mode).toBe("ollama");
});

describe("unreadable files are one line, not a stack trace", () => {
  test("absent: undefined (no file is fine)", () => expect(readConfigText(join(tempDir("cfg"), "none.json"))).toBeUndefined());
  test("a folder", () => {
    const dir = join(tempDir("cfg"), ".anyclauderc.json");
    mkdirSync(dir);
    expect(() => readConfigText(dir)).toThrow(new ConfigError(`cannot read config file ${dir}: it is a folder`));
  });
  test.skipIf(process.getuid?.() === 0)("no permission", () => {
    const file = join(tempDir("cfg"), ".anyclauderc.json");
    writeFileSync(file, "{}");
    chmodSync(file, 0o000);
    expect(() => readConfigText(file)).toThrow(new ConfigError(`cannot read config file ${file}: permission denied`));
  });
});

describe("suggestions", () => {
  const cases: [string, string, number][] = [["baseURL", "baseUrl", 0], ["bakends", "backends", 1], ["lmstdio", "lmstudio", 1], ["kitten", "sitting", 3]];
  for (const [a, b, d] of cases) test(`${a} → ${b}: ${d}`, () => expect(editDistance(a, b)).toBe(d));
  test("too far: no suggestion", () => expect(nearest("port", ["backends", "claude"])).toBeUndefined());
});

describe("URL credentials are redacted", () => {
  const cases: [string, string][] = [
    ["http://user:pa55@proxy.example:8080/v1", "http://<redacted>@proxy.example:8080/v1"],
    ["reachable at https://tok@h/v1 and http://a:b@c", "reachable at https://<redacted>@h/v1 and http://<redacted>@c"],
    ["http://h:1/v1?api_key=s3cret&x=1", "http://h:1/v1?api_key=<redacted>&x=1"],
    ["http://127.0.0.1:1234/v1", "http://127.0.0.1:1234/v1"],
    ["mail me at someone@example.com", "mail me at someone@example.com"],
  ];
  for (const [input, want] of cases) test(input, () => expect(redactUrls(input)).toBe(want));

  test("traces too: error messages and bodies recorded with the URL's credentials removed", () => {
    const recorded = redactValue({ error: { message: "openai unreachable at http://me:hunter2@gpu.local/v1: refused" } });
    expect(JSON.stringify(recorded)).not.toContain("hunter2");
  });

  test("config output: base URLs and keys", () => {
    const c = load(JSON.stringify({ backend: "openai", proxyApiKey: "0123456789abcdef-secret", backends: { openai: { baseUrl: "http://me:hunter2@gpu.local:8000/v1" } } }));
    const printed = JSON.stringify(redactedConfig(c));
    expect(printed).not.toContain("hunter2");
    expect(printed).not.toContain("0123456789abcdef-secret");
    expect(printed).toContain("http://<redacted>@gpu.local:8000/v1");
    // …while the proxy itself still uses the real URL.
    expect(c.backends.openai.baseUrl).toBe("http://me:hunter2@gpu.local:8000/v1");
  });
});

// Held-out attack on issue 9 (4): what a careless user writes, each one line naming what to fix.
describe("arrays where objects are expected are refused (valibot's objects accept arrays)", () => {
  const cases: [string, unknown, string][] = [
    ["backends", { backends: [] }, "at backends: expected an object {…}, found an array"],
    ["one backend", { backends: { ollama: [] } }, "at backends.ollama: expected an object {…}, found an array"],
    ["a model map", { backends: { ollama: { models: ["a"] } } }, "at backends.ollama.models: expected an object {…}, found an array"],
    ["debug", { debug: [1] }, "at debug: expected an object {…}, found an array"],
    ["top-level models", { models: [] }, "at models: expected an object {…}, found an array"],
  ];
  for (const [name, file, want] of cases) test(name, () => expect(failure(JSON.stringify(file))).toContain(want));
  test("arrays where arrays belong still load", () =>
    expect(load(JSON.stringify({ allowedOrigins: ["http://a.test"], backends: { mlx: { serverArgs: ["--x"] } } })).allowedOrigins).toEqual(["http://a.test"]));
});

describe("wrong types name the path and what was expected", () => {
  const cases: [unknown, string][] = [
    [{ port: "8080" }, 'at port: expected number, found "8080"'],
    [{ port: 1.5 }, "at port: expected a whole number, found 1.5"],
    [{ backends: { ollama: null } }, "at backends.ollama: expected Object, found null"],
    [{ allowedOrigins: "http://x.test" }, 'at allowedOrigins: expected Array, found "http://x.test"'],
    [{ backends: { lmstudio: { contextLength: 4096.5 } } }, "at backends.lmstudio.contextLength: expected a whole number, found 4096.5"],
  ];
  for (const [file, want] of cases) test(JSON.stringify(file), () => expect(failure(JSON.stringify(file))).toContain(want));
});

test("a file with comments (JSONC) says comments are not allowed", () =>
  expect(failure('// mine\n{"backend": "ollama"}')).toMatch(/not valid JSON .*comments are not allowed/));
test("a BOM plus CRLF line ends load", () => expect(load('\uFEFF{\r\n  "backend": "ollama"\r\n}\r\n').mode).toBe("ollama"));
test("an empty file is not valid JSON", () => expect(failure("")).toMatch(/not valid JSON/));

describe("environment variables with bad values stop, naming the variable", () => {
  const withEnv = (env: Record<string, string>) => {
    try {
      return resolveConfig({ cwd: "/work/p", home: "/home/u", env, flags: {}, platform: "linux", arch: "x64", readFile: () => undefined });
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
  };
  const bad: [Record<string, string>, string][] = [
    [{ ANYCLAUDE_MODE: "bogus" }, 'ANYCLAUDE_MODE: expected one of'],
    [{ ANYCLAUDE_DEBUG: "maybe" }, 'ANYCLAUDE_DEBUG: expected 0-3, true or false, found "maybe"'],
    [{ ANYCLAUDE_DEBUG: "9" }, 'ANYCLAUDE_DEBUG: expected 0-3, true or false, found "9"'],
    [{ LMSTUDIO_CONTEXT_LENGTH: "12k" }, 'LMSTUDIO_CONTEXT_LENGTH: expected a positive whole number, found "12k"'],
    [{ PROXY_ONLY: "ture" }, 'PROXY_ONLY: expected true or false'],
  ];
  for (const [env, want] of bad) test(JSON.stringify(env), () => expect(withEnv(env)).toContain(want));
  test("ANYCLAUDE_DEBUG=0 and PROXY_ONLY=no are valid", () => {
    const c = withEnv({ ANYCLAUDE_DEBUG: "0", PROXY_ONLY: "no" });
    expect(typeof c === "string" ? c : [c.debugLevel, c.proxyOnly]).toEqual([0, false]);
  });
});

describe("special files never hang or dump a stack", () => {
  test("a FIFO is refused without waiting for a writer", () => {
    const fifo = join(tempDir("cfg"), ".anyclauderc.json");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    expect(() => readConfigText(fifo)).toThrow(new ConfigError(`cannot read config file ${fifo}: it is not a regular file (a FIFO, socket or device)`));
  });
  test("a symbolic link loop", () => {
    const dir = tempDir("cfg");
    const file = join(dir, ".anyclauderc.json");
    symlinkSync(join(dir, "other"), file);
    symlinkSync(file, join(dir, "other"));
    expect(() => readConfigText(file)).toThrow(new ConfigError(`cannot read config file ${file}: its symbolic links form a loop`));
  });
});

// setTimeout holds at most 2^31 - 1 ms: a longer limit would fire at once and fail every request.
describe("timeouts a timer can hold", () => {
  test("the longest accepted", () => expect(load(JSON.stringify({ idleTimeoutSeconds: 2_147_483 })).idleTimeoutMs).toBe(2_147_483_000));
  test("an idle limit beyond it is refused", () => expect(failure(JSON.stringify({ idleTimeoutSeconds: 2_147_484 }))).toContain("at idleTimeoutSeconds: expected <=2147483, found 2147484"));
  test("a model-load wait beyond it is refused", () =>
    expect(failure(JSON.stringify({ backends: { mlx: { readyTimeoutSeconds: 1e10 } } }))).toContain("at backends.mlx.readyTimeoutSeconds: expected <=2147483"));
});
