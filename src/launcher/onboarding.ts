// A first-time Claude Code user with no Anthropic account is stopped, offline, by the onboarding
// screen ("Unable to connect to Anthropic services"). Marking onboarding complete in
// ~/.claude.json lets a privacy-first user start without an Anthropic login. The folder-trust
// question is left to Claude Code: it works offline and is the user's decision.
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface OnboardingChange {
  file: string;
  backup?: string;
}

/** Pure: the patched settings, or null when nothing needs to change. */
export function onboardingPatch(settings: Record<string, unknown>): Record<string, unknown> | null {
  if (settings.hasCompletedOnboarding === true) return null;
  return { ...settings, hasCompletedOnboarding: true };
}

export function ensureOnboarding(home: string): OnboardingChange | null {
  const file = join(home, ".claude.json");
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
    } catch {
      return null; // not ours to repair; Claude Code will say what is wrong with it
    }
  }
  const patched = onboardingPatch(current);
  if (!patched) return null;
  let backup: string | undefined;
  if (existsSync(file)) {
    backup = `${file}.anyclaude-backup`;
    copyFileSync(file, backup);
  }
  writeFileSync(file, `${JSON.stringify(patched, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { file, ...(backup ? { backup } : {}) };
}
