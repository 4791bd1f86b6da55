// Runs Claude Code as our child: inherited stdio, signals forwarded, its exit code becomes ours.
import type { ConsolaInstance } from "consola";
import { type Child, spawnInherit } from "../runtime/spawn.ts";

const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

export async function runClaude(
  claudePath: string,
  args: string[],
  env: Record<string, string>,
  logger: ConsolaInstance,
): Promise<number> {
  const child: Child = await spawnInherit([claudePath, ...args], env);
  logger.debug(`claude started (pid ${child.pid})`);
  const forward = (signal: NodeJS.Signals) => {
    // A terminal Ctrl-C already reached Claude Code (same process group); a second SIGINT would
    // make it exit instead of cancelling the current turn.
    if (signal === "SIGINT" && process.stdin.isTTY) return;
    logger.debug(`forwarding ${signal} to claude`);
    child.kill(signal);
  };
  for (const s of FORWARDED) process.on(s, forward);
  // Whatever ends us (uncaught exception, process.exit), Claude Code goes too.
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  try {
    return await child.exited;
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
    process.off("exit", killOnExit);
  }
}
