// The command layer's last resort: a bug (an error no command expected) is one line pointing at
// --debug, and its stack only with --debug; an expected failure never shows a stack.
import { afterEach, beforeEach, expect, test } from "bun:test";
import { defineCommand } from "citty";
import { CliError } from "../../src/cli/errors.ts";
import { runCommandLine } from "../../src/cli/run-command-line.ts";

const tree = defineCommand({
  meta: { name: "anyclaude" },
  subCommands: {
    bug: defineCommand({
      meta: { name: "bug" },
      args: { debug: { type: "boolean" } },
      run() {
        const missing = undefined as unknown as { stat(): void };
        missing.stat();
      },
    }),
    expected: defineCommand({
      meta: { name: "expected" },
      args: { debug: { type: "boolean" } },
      run() {
        throw new CliError("the server at http://127.0.0.1:9/v1 is unreachable; start it");
      },
    }),
  },
});

let written = "";
const realWrite = process.stderr.write.bind(process.stderr);
beforeEach(() => {
  written = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
    return true;
  }) as typeof process.stderr.write;
});
afterEach(() => {
  process.stderr.write = realWrite;
});

const cases: [string, string[], boolean, number, RegExp, boolean][] = [
  ["a bug without --debug", ["bug"], false, 1, /internal error: .*\(run with --debug for the stack trace, and please report it\)/, false],
  ["a bug with --debug", ["bug", "--debug"], true, 1, /internal error: /, true],
  ["an expected failure with --debug", ["expected", "--debug"], true, 1, /unreachable; start it/, false],
];
for (const [what, argv, debug, code, says, stack] of cases)
  test(what, async () => {
    const exit = await runCommandLine(tree, argv, { version: "0.0.0", debug });
    process.stderr.write = realWrite;
    expect(exit).toBe(code);
    expect(written).toMatch(says);
    expect(/\n\s+at /.test(written)).toBe(stack);
    if (!stack) expect(written.trim().split("\n")).toHaveLength(1);
  });
