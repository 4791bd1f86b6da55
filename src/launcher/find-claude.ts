// Where the `claude` executable is: config claude.path, else PATH.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

export const CLAUDE_INSTALL_HINT = "npm install -g @anthropic-ai/claude-code";

export function findClaude(configured: string | undefined, path = process.env.PATH ?? ""): string | null {
  const candidates = configured ? [configured] : path.split(delimiter).filter(Boolean).map((dir) => join(dir, "claude"));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  return null;
}
