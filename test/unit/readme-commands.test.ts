// The README's command lines are valid as written: each resolves against the real command tree
// (a renamed flag or command breaks this test), and every command is in the README.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CommandDef } from "citty";
import { resolveCommandLine } from "../../src/cli/command-line.ts";
import { mainCommand } from "../../src/cli/main-command.ts";
import { ROOT } from "../helpers/processes.ts";

const readme = readFileSync(join(ROOT, "README.md"), "utf8");

/** `anyclaude …` lines of the sh blocks and inline code, without comments or redirections. */
function commandLines(): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split("\n"));
  const inline = [...readme.matchAll(/`(anyclaude [^`]+)`/g)].map((m) => m[1]!);
  return [...blocks, ...inline]
    .map((l) => l.replace(/\s+#.*$/, "").replace(/\s*[>|].*$/, "").trim())
    .filter((l) => /^anyclaude( |$)/.test(l) && !/[…<]/.test(l));
}

const words = (line: string) => [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

test("every anyclaude line in the README resolves to a command with valid options", async () => {
  const lines = commandLines();
  expect(lines.length).toBeGreaterThan(15);
  for (const line of lines) {
    const resolved = await resolveCommandLine(mainCommand, words(line).slice(1)).catch((e: Error) => {
      throw new Error(`README: \`${line}\`: ${e.message}`);
    });
    expect(resolved.command).toBeDefined();
  }
});

test("every command is in the README", async () => {
  const names: string[] = [];
  const walk = async (cmd: CommandDef, path: string[]) => {
    const subs = (typeof cmd.subCommands === "function" ? await cmd.subCommands() : cmd.subCommands) ?? {};
    for (const [name, sub] of Object.entries(subs)) {
      const def = (typeof sub === "function" ? await sub() : await sub) as CommandDef;
      const full = [...path, name];
      if (name !== "launch") names.push(full.join(" "));
      await walk(def, full);
    }
  };
  await walk(mainCommand as CommandDef, []);
  expect(names.length).toBeGreaterThan(8);
  const lines = commandLines().join("\n");
  for (const name of names) if (!["trace", "setup"].includes(name)) expect(lines).toContain(`anyclaude ${name}`);
});
