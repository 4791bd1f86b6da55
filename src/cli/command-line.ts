// Which command a command line names, and its arguments checked against that command's options
// before anything runs. Options may come before or after the subcommand (`anyclaude --mode x
// config`); an unknown option is an error naming the nearest valid one; words meant for Claude
// Code get a hint to put them after `--`. Only the command definitions on the path are loaded.
import type { ArgDef, ArgsDef, CommandDef } from "citty";
import { CliError, EXIT_USAGE } from "./errors.ts";

export interface ResolvedCommandLine {
  command: AnyCommand;
  /** Subcommand names from the top, e.g. ["trace", "analyze"]; [] for the default command. */
  path: string[];
  /** What the command's own parser gets: positionals, then options, then `--` and the rest. */
  rawArgs: string[];
  help: boolean;
}

// citty's own tree holds CommandDef<any>: each command's args type is its own.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyCommand = CommandDef<any>;
type Resolvable<T> = T | Promise<T> | (() => T | Promise<T>);
const resolve = async <T>(r: Resolvable<T> | undefined): Promise<T | undefined> => (typeof r === "function" ? await (r as () => T | Promise<T>)() : await r);

const isOption = (t: string) => t.length > 1 && t.startsWith("-") && !/^-\d/.test(t);
const optionName = (t: string) => t.replace(/^--?/, "").split("=")[0]!;

/** The option definition a name refers to: its name, an alias, or `no-<boolean>`. */
export function findOption(args: ArgsDef, name: string): { name: string; def: ArgDef } | undefined {
  for (const [key, def] of Object.entries(args)) {
    if (def.type === "positional") continue;
    const alias = "alias" in def ? def.alias : undefined;
    const aliases = typeof alias === "string" ? [alias] : (alias ?? []);
    if (key === name || aliases.includes(name)) return { name: key, def };
    if (def.type === "boolean" && name === `no-${key}`) return { name: key, def };
  }
  return undefined;
}

/** Edits from a to b, a swap of two neighbours counting as one (the commonest typo). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function nearest(word: string, candidates: string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word, c);
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(1, Math.min(2, Math.floor(word.length / 3))) ? best.c : undefined;
}

/** A word as it would be typed in a POSIX shell. */
export const shellWord = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** `anyclaude <before> -- <from>`: the same line with the Claude Code part moved after `--`. */
function claudeHint(argv: string[], from: number): string {
  const rest = argv.slice(from).filter((t) => t !== "--");
  return `anyclaude ${[...argv.slice(0, from), "--", ...rest].map(shellWord).join(" ")}`;
}

export async function resolveCommandLine(main: AnyCommand, argv: string[]): Promise<ResolvedCommandLine> {
  const dashes = argv.indexOf("--");
  const own = dashes === -1 ? argv : argv.slice(0, dashes);
  const passThrough = dashes === -1 ? [] : argv.slice(dashes);
  const help = own.some((t) => t === "--help" || t === "-h");

  let command: AnyCommand = main;
  const path: string[] = [];
  let args: ArgsDef = (await resolve(command.args)) ?? {};
  const options: { tokens: string[]; at: number; name: string }[] = [];
  const positionals: { word: string; at: number }[] = [];

  for (let i = 0; i < own.length; i++) {
    const token = own[i]!;
    if (token === "--help" || token === "-h") continue;
    if (isOption(token)) {
      const name = optionName(token);
      const known = findOption(args, name);
      // A value option known at this level takes the next word; an option not known here waits
      // for the command it belongs to.
      if (known && known.def.type !== "boolean" && !token.includes("=") && !name.startsWith("no-")) {
        if (i + 1 >= own.length) throw new CliError(`--${known.name} needs a value (see \`${commandName(path)} --help\`)`, EXIT_USAGE);
        options.push({ tokens: [token, own[++i]!], at: i - 1, name });
      } else if (!known && !token.includes("=") && i + 1 < own.length && (await takesValueBelow(command, name, own[i + 1]!))) {
        // `anyclaude trace --limit 5 list`: the value of an option of a command further down.
        options.push({ tokens: [token, own[++i]!], at: i - 1, name });
      } else options.push({ tokens: [token], at: i, name });
      continue;
    }
    const subCommands = await resolve(command.subCommands);
    if (subCommands && positionals.length === 0) {
      if (Object.hasOwn(subCommands, token)) {
        command = (await resolve(subCommands[token] as Resolvable<AnyCommand>))!;
        path.push(token);
        args = (await resolve(command.args)) ?? {};
        continue;
      }
      if (!(await resolve(command.default))) {
        const guess = nearest(token, Object.keys(subCommands));
        throw new CliError(`unknown command ${commandName([...path, token])}${guess ? `; did you mean ${commandName([...path, guess])}?` : `; the commands are ${Object.keys(subCommands).join(", ")}`}`, EXIT_USAGE);
      }
      // `anyclaude --mode x -p hi`: the first word Claude Code would have understood is the culprit.
      const unknown = options.find((o) => !findOption(args, o.name));
      if (unknown) throw unknownOption(unknown, args, path, argv);
      // `anyclaude help` / `anyclaude version`: what other CLIs have as commands are flags here.
      if (token === "help" || token === "version")
        throw new CliError(`unknown command ${token}; did you mean anyclaude --${token}? (to pass it to Claude Code, put it after --: ${claudeHint(argv, i)})`, EXIT_USAGE);
      const guess = nearest(token, Object.keys(subCommands));
      throw new CliError(
        guess
          ? `unknown command ${token}; did you mean anyclaude ${guess}?`
          : `unknown command ${token}; to pass it to Claude Code, put it after --: ${claudeHint(argv, i)}`,
        EXIT_USAGE,
      );
    }
    positionals.push({ word: token, at: i });
  }

  if (help) return { command, path, rawArgs: [], help };
  // The top-level command runs its default subcommand (launch) when none is named.
  const defaultName = await resolve(command.default);
  if (defaultName) {
    const subCommands = (await resolve(command.subCommands))!;
    command = (await resolve(subCommands[defaultName] as Resolvable<AnyCommand>))!;
    args = (await resolve(command.args)) ?? {};
  } else if (!command.run) {
    const names = Object.keys((await resolve(command.subCommands)) ?? {});
    throw new CliError(`${commandName(path)} needs a command: ${names.join(", ")} (see \`${commandName(path)} --help\`)`, EXIT_USAGE);
  }
  const isLaunch = path.length === 0;

  const rawOptions: string[] = [];
  for (const o of options) {
    const known = findOption(args, o.name);
    if (!known) throw unknownOption(o, args, path, argv);
    if (known.def.type !== "boolean" && o.tokens.length === 1 && !o.tokens[0]!.includes("="))
      throw new CliError(`--${known.name} needs a value, written --${known.name}=VALUE when it comes before the command`, EXIT_USAGE);
    rawOptions.push(...o.tokens);
  }
  const allowed = Object.values(args).filter((d) => d.type === "positional").length;
  const extra = positionals[allowed];
  if (extra) {
    throw new CliError(
      isLaunch
        ? `unexpected argument ${extra.word}; to pass it to Claude Code, put it after --: ${claudeHint(argv, extra.at)}`
        : `unexpected argument ${extra.word} for ${commandName(path)} (see \`${commandName(path)} --help\`)`,
      EXIT_USAGE,
    );
  }
  return { command, path, rawArgs: [...positionals.map((p) => p.word), ...rawOptions, ...passThrough], help };
}

/** Whether `next` is the value of option `name` of one of `command`'s subcommands (not a subcommand itself). */
async function takesValueBelow(command: AnyCommand, name: string, next: string): Promise<boolean> {
  const subCommands = await resolve(command.subCommands);
  if (!subCommands || isOption(next) || Object.hasOwn(subCommands, next)) return false;
  for (const sub of Object.values(subCommands)) {
    const def = await resolve(sub as Resolvable<AnyCommand>);
    const found = def && findOption((await resolve(def.args)) ?? {}, name);
    if (found && found.def.type !== "boolean" && !name.startsWith("no-")) return true;
  }
  return false;
}

function unknownOption(o: { tokens: string[]; at: number; name: string }, args: ArgsDef, path: string[], argv: string[]): CliError {
  const candidates = Object.entries(args)
    .filter(([, d]) => d.type !== "positional")
    .map(([k]) => k);
  const guess = nearest(o.name, candidates);
  const parts = [`unknown option ${o.tokens[0]!.split("=")[0]} for ${commandName(path)}${guess ? ` (did you mean --${guess}?)` : ""}`];
  if (path.length === 0) parts.push(`to pass it to Claude Code, put it after --: ${claudeHint(argv, o.at)}`);
  else if (!guess) parts.push(`see \`${commandName(path)} --help\``);
  return new CliError(parts.join("; "), EXIT_USAGE);
}

export const commandName = (path: string[]) => ["anyclaude", ...path].join(" ");
