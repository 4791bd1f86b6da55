// `--help` output. citty colours it unless NO_COLOR is exactly "1"; we follow no-color.org (any
// non-empty NO_COLOR) and also drop colour when stdout is not a terminal (pipes, files).
import { stripVTControlCharacters } from "node:util";
import { type ArgsDef, type CommandDef, renderUsage } from "citty";

export function wantsColour(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== "0") return true;
  return isTTY && env.TERM !== "dumb";
}

/** Drop-in for citty's showUsage (runMain's `showUsage` option). */
export async function showUsage<T extends ArgsDef = ArgsDef>(cmd: CommandDef<T>, parent?: CommandDef<T>): Promise<void> {
  const text = `${await renderUsage(cmd, parent)}\n`;
  process.stdout.write(`${wantsColour(process.env, process.stdout.isTTY === true) ? text : stripVTControlCharacters(text)}\n`);
}
