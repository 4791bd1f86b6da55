// The command layer: resolve the command line, print help, run the command, and turn every
// failure into one line and an exit code. Only here (and in commands that hand over to Claude
// Code or wait for a signal) does anyclaude decide how the process ends.
import { type CommandDef, runCommand } from "citty";
import { resolveCommandLine } from "./command-line.ts";
import { EXIT_RUNTIME, EXIT_USAGE, expectedFailure } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { printLine } from "./output.ts";
import { showUsage } from "./usage.ts";
import { redactText } from "../trace/redact.ts";

export interface RunOptions {
  version: string;
  /** --debug or ANYCLAUDE_DEBUG: a bug prints its stack trace. */
  debug: boolean;
}

/** The exit code to end with, or undefined when the command keeps running (serve). */
// biome-ignore lint/suspicious/noExplicitAny: citty's command tree is CommandDef<any>
export async function runCommandLine(main: CommandDef<any>, argv: string[], opts: RunOptions): Promise<number | undefined> {
  const logger = createLogger(opts.debug ? 1 : 0);
  // One line, without consola's blank lines around an error badge.
  const fail = (message: string) => logger.error({ message, badge: false });
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-v")) {
    process.stdout.write(`${opts.version}\n`);
    return 0;
  }
  try {
    const resolved = await resolveCommandLine(main, argv);
    if (resolved.help) {
      // The parent's name makes the usage line read `anyclaude trace analyze …`.
      const parent = { meta: { name: ["anyclaude", ...resolved.path.slice(0, -1)].join(" "), version: opts.version } };
      await showUsage(resolved.command, resolved.path.length ? parent : undefined);
      if (resolved.path.length === 0 || resolved.path[0] === "launch") printLine("Everything after -- goes to Claude Code: anyclaude --mode ollama -- --resume");
      return 0;
    }
    const { result } = await runCommand(resolved.command, { rawArgs: resolved.rawArgs });
    return typeof result === "number" ? result : undefined;
  } catch (e) {
    const expected = expectedFailure(e);
    if (expected) {
      fail(expected.message);
      return expected.exitCode;
    }
    // citty's own argument errors (a missing positional): usage, not a bug.
    if ((e as Error).name === "CLIError") {
      fail(`${(e as Error).message} (see --help)`);
      return EXIT_USAGE;
    }
    fail(`internal error: ${(e as Error).message ?? String(e)}${opts.debug ? "" : " (run with --debug for the stack trace, and please report it)"}`);
    if (opts.debug) process.stderr.write(`${redactText((e as Error).stack ?? String(e))}\n`);
    return EXIT_RUNTIME;
  }
}
