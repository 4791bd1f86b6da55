// The command line against the real command tree: which command runs with which arguments, and
// the one-line usage errors (issue 12: options before the subcommand were dropped, unknown
// options and Claude Code's own flags were "Unknown command").
import { describe, expect, test } from "bun:test";
import { nearest, resolveCommandLine } from "../../src/cli/command-line.ts";
import { CliError } from "../../src/cli/errors.ts";
import { mainCommand } from "../../src/cli/main-command.ts";

const resolved = async (argv: string[]) => {
  const r = await resolveCommandLine(mainCommand, argv);
  const meta = await (typeof r.command.meta === "function" ? r.command.meta() : r.command.meta);
  return { name: meta?.name, path: r.path, rawArgs: r.rawArgs, help: r.help };
};

const failure = async (argv: string[]) => {
  try {
    await resolveCommandLine(mainCommand, argv);
  } catch (e) {
    if (e instanceof CliError) return { message: e.message, exitCode: e.exitCode };
    throw e;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
};

describe("which command runs, with which arguments", () => {
  const cases: [string, string[], { name: string; path: string[]; rawArgs: string[] }][] = [
    ["an option before the subcommand reaches it", ["--mode", "ollama", "config"], { name: "config", path: ["config"], rawArgs: ["--mode", "ollama"] }],
    ["options on both sides", ["--mode", "ollama", "models", "--json"], { name: "models", path: ["models"], rawArgs: ["--mode", "ollama", "--json"] }],
    ["--opt=value before the subcommand", ["--mode=vllm", "doctor"], { name: "doctor", path: ["doctor"], rawArgs: ["--mode=vllm"] }],
    ["no subcommand: launch, Claude Code's part after --", ["--mode", "lmstudio", "--", "-p", "hi"], { name: "launch", path: [], rawArgs: ["--mode", "lmstudio", "--", "-p", "hi"] }],
    ["nested: positional first, then options", ["trace", "--debug", "analyze", "x.json", "-v"], { name: "analyze", path: ["trace", "analyze"], rawArgs: ["x.json", "--debug", "-v"] }],
    ["a value that looks like a subcommand stays a value", ["--model", "serve", "doctor"], { name: "doctor", path: ["doctor"], rawArgs: ["--model", "serve"] }],
    ["--no-<boolean>", ["doctor", "--no-json"], { name: "doctor", path: ["doctor"], rawArgs: ["--no-json"] }],
    ["a subcommand's option with its value before the subcommand", ["trace", "--limit", "5", "list"], { name: "list", path: ["trace", "list"], rawArgs: ["--limit", "5"] }],
  ];
  for (const [what, argv, want] of cases) test(what, async () => expect(await resolved(argv)).toMatchObject(want));

  test("--help anywhere names the command it is about", async () => {
    expect(await resolved(["trace", "analyze", "--help"])).toMatchObject({ name: "analyze", path: ["trace", "analyze"], help: true });
    expect(await resolved(["-h"])).toMatchObject({ name: "anyclaude", path: [], help: true });
    // After --, it is Claude Code's.
    expect(await resolved(["--", "--help"])).toMatchObject({ name: "launch", help: false });
  });
});

describe("usage errors: one line, exit 2, with what to do", () => {
  const cases: [string, string[], RegExp][] = [
    ["a typo of an option names the nearest one", ["--modle", "x"], /^unknown option --modle for anyclaude \(did you mean --mode\?\); to pass it to Claude Code, put it after --: anyclaude -- --modle x$/],
    ["Claude Code's flag without --", ["--mode", "lmstudio", "-p", "hi"], /^unknown option -p for anyclaude; to pass it to Claude Code, put it after --: anyclaude --mode lmstudio -- -p hi$/],
    ["a bare word for Claude Code", ["--mode", "lmstudio", "hello world"], /put it after --: anyclaude --mode lmstudio -- 'hello world'$/],
    ["a word that is a property of every object is not a command", ["toString"], /^unknown command toString; to pass it to Claude Code, put it after --: anyclaude -- toString$/],
    ["help as a command", ["help"], /^unknown command help; did you mean anyclaude --help\? \(to pass it to Claude Code, put it after --: anyclaude -- help\)$/],
    ["version as a command", ["version"], /^unknown command version; did you mean anyclaude --version\?/],
    ["a typo of a command", ["modles"], /^unknown command modles; did you mean anyclaude models\?$/],
    ["an unknown nested command", ["trace", "lsit"], /^unknown command anyclaude trace lsit; did you mean anyclaude trace list\?$/],
    ["a group without its command", ["trace"], /^anyclaude trace needs a command: list, analyze, replay, compare/],
    ["an option the subcommand does not have", ["doctor", "--port", "8080"], /^unknown option --port for anyclaude doctor; see `anyclaude doctor --help`$/],
    ["a launch option before a command without it", ["--proxy-only", "models"], /^unknown option --proxy-only for anyclaude models/],
    ["a value option with nothing after it", ["serve", "--port"], /^--port needs a value/],
    ["an extra positional", ["trace", "analyze", "a.json", "b.json"], /^unexpected argument b\.json for anyclaude trace analyze/],
  ];
  for (const [what, argv, message] of cases)
    test(what, async () => {
      const f = await failure(argv);
      expect(f.message).toMatch(message);
      expect(f.message).not.toContain("\n");
      expect(f.exitCode).toBe(2);
    });
});

test("nearest: close typos only", () => {
  const options = ["mode", "model", "small-model", "base-url", "json"];
  expect(nearest("modle", options)).toBe("mode");
  expect(nearest("base-ulr", options)).toBe("base-url");
  expect(nearest("jsno", options)).toBe("json");
  expect(nearest("verbose", options)).toBeUndefined();
  expect(nearest("p", options)).toBeUndefined();
});
