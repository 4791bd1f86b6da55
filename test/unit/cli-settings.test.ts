// Settings the seed project's users bring (ANYCLAUDE_DEBUG=true, ANYCLAUDE_NO_AUTO_LAUNCH), the
// resume line after a Claude Code session, and benchmark verdicts.
import { describe, expect, test } from "bun:test";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { atLeast, below, verdict } from "../../scripts/bench/targets.ts";
import { ConfigError, debugLevelFromEnv, resolveConfig } from "../../src/config/load.ts";
import { isInteractive, latestSessionSince, resumeCommand } from "../../src/launcher/resume-hint.ts";
import { tempDir } from "../helpers/processes.ts";

const config = (env: Record<string, string>) =>
  resolveConfig({ cwd: "/p", home: "/home/u", env, flags: {}, platform: "linux", arch: "x64", readFile: () => undefined });

describe("ANYCLAUDE_DEBUG as the seed accepted it", () => {
  const cases: [string | undefined, number | undefined][] = [
    [undefined, undefined],
    ["", undefined],
    ["0", 0],
    ["2", 2],
    ["3", 3],
    ["true", 1],
    ["YES", 1],
    ["on", 1],
    ["false", 0],
    ["no", 0],
  ];
  for (const [raw, level] of cases) test(`${JSON.stringify(raw)} → ${level}`, () => expect(debugLevelFromEnv(raw)).toBe(level));
  test("anything else is a config error naming the variable", () => {
    expect(() => debugLevelFromEnv("4")).toThrow(ConfigError);
    expect(() => debugLevelFromEnv("verbose")).toThrow(/ANYCLAUDE_DEBUG: expected 0-3, true or false, found "verbose"/);
  });
  test("it reaches the config's debug level", () => expect(config({ ANYCLAUDE_DEBUG: "true" }).debugLevel).toBe(1));
});

test("ANYCLAUDE_NO_AUTO_LAUNCH=true: use the MLX server at VLLM_MLX_URL instead of starting one", () => {
  expect(config({}).mlxAutoLaunch).toBe(true);
  expect(config({ ANYCLAUDE_NO_AUTO_LAUNCH: "true" }).mlxAutoLaunch).toBe(false);
  expect(config({ ANYCLAUDE_NO_AUTO_LAUNCH: "false" }).mlxAutoLaunch).toBe(true);
});

test("the home folder comes from the config inputs, one way for every command", () => {
  const c = config({});
  expect(c.home).toBe("/home/u");
  expect(c.traces.dir).toBe("/home/u/.anyclaude/traces");
});

describe("resume through anyclaude", () => {
  // Claude Code 2.1 keeps transcripts at <config dir>/projects/<cwd slug>/<session id>.jsonl.
  const id = (n: number) => `0000000${n}-1111-4222-8333-444444444444`;
  test("the session written during this run, newest first; older and foreign files ignored", () => {
    const dir = tempDir("claudecfg");
    const project = join(dir, "projects", "-tmp-work");
    mkdirSync(project, { recursive: true });
    const since = Date.now() - 10_000;
    for (const [name, age] of [[`${id(1)}.jsonl`, 60_000], [`${id(2)}.jsonl`, 5_000], [`${id(3)}.jsonl`, 1_000], ["notes.jsonl", 0]] as const) {
      writeFileSync(join(project, name), "{}\n");
      const t = new Date(Date.now() - age);
      utimesSync(join(project, name), t, t);
    }
    expect(latestSessionSince(dir, since)).toBe(id(3));
    expect(latestSessionSince(dir, Date.now() + 1000)).toBeUndefined();
    expect(latestSessionSince(join(dir, "missing"), since)).toBeUndefined();
  });
  test("the line repeats anyclaude's own options", () => {
    expect(resumeCommand(["--mode", "ollama", "--model", "qwen3-coder:30b"], id(1))).toBe(`anyclaude --mode ollama --model qwen3-coder:30b -- --resume ${id(1)}`);
    expect(resumeCommand(["--config", "my file.json"], id(1))).toBe(`anyclaude --config 'my file.json' -- --resume ${id(1)}`);
  });
  test("print mode gets no hint, as Claude Code prints none", () => {
    expect(isInteractive([])).toBe(true);
    expect(isInteractive(["--resume", id(1)])).toBe(true);
    expect(isInteractive(["-p", "hi"])).toBe(false);
    expect(isInteractive(["--print", "hi"])).toBe(false);
  });
});

test("bench verdicts: each figure met or missed against its target", () => {
  expect(verdict("binary size", 123.1, below(120, "MB"))).toBe("binary size: 123.1 MB — ✗ missed (target below 120 MB)");
  expect(verdict("peak RSS", 79.9, below(80, "MB"))).toBe("peak RSS: 79.9 MB — ✓ met (target below 80 MB)");
  expect(verdict("events/s", 99_999, atLeast(100_000, "events/s"), 0)).toContain("✗ missed");
  expect(verdict("events/s", 100_000, atLeast(100_000, "events/s"), 0)).toContain("✓ met");
});
