// Claude Code ends an interactive session with "claude --resume <id>"; resumed that way it would
// bypass anyclaude. We find the session it just wrote (<config dir>/projects/<cwd slug>/<id>.jsonl,
// as Claude Code 2.1 stores transcripts) and offer the same resume through anyclaude.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { shellWord } from "../cli/command-line.ts";

const SESSION_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;

/** Claude Code's config folder: CLAUDE_CONFIG_DIR, else ~/.claude. */
export const claudeConfigDir = (env: Record<string, string | undefined>, home: string) => env.CLAUDE_CONFIG_DIR || join(home, ".claude");

/** The id of the session transcript written most recently, at or after `sinceMs`. */
export function latestSessionSince(configDir: string, sinceMs: number): string | undefined {
  const projects = join(configDir, "projects");
  if (!existsSync(projects)) return undefined;
  let best: { id: string; mtime: number } | undefined;
  for (const project of readdirSync(projects)) {
    let names: string[];
    try {
      names = readdirSync(join(projects, project));
    } catch {
      continue;
    }
    for (const name of names) {
      const id = SESSION_FILE.exec(name)?.[1];
      if (!id) continue;
      const mtime = statSync(join(projects, project, name)).mtimeMs;
      if (mtime >= sinceMs && (!best || mtime > best.mtime)) best = { id, mtime };
    }
  }
  return best?.id;
}

/** Print mode (-p) ends without a resume hint of its own; so do we. */
export const isInteractive = (claudeArgs: string[]) => !claudeArgs.some((a) => a === "-p" || a === "--print");

/** `anyclaude <the same options> -- --resume <id>`. */
export function resumeCommand(ownArgs: string[], sessionId: string): string {
  return ["anyclaude", ...ownArgs, "--", "--resume", sessionId].map(shellWord).join(" ");
}
