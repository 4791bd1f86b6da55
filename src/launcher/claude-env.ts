// The environment Claude Code is started with. Pure.

export interface ClaudeEnvOptions {
  proxyUrl: string;
  /** Per-launch secret the proxy requires; undefined in claude mode with a Claude Code login. */
  launchKey?: string;
  /** The backend's context window, when known: Claude Code compacts before it overflows. */
  contextWindow?: number;
}

export function claudeEnv(base: Record<string, string | undefined>, opts: ClaudeEnvOptions): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  env.ANTHROPIC_BASE_URL = opts.proxyUrl;
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC = "1";
  if (opts.launchKey) {
    // Sent as "Authorization: Bearer". ANTHROPIC_AUTH_TOKEN rather than ANTHROPIC_API_KEY: an
    // unknown API key makes interactive Claude Code stop at "Do you want to use this API key?".
    env.ANTHROPIC_AUTH_TOKEN = opts.launchKey;
    delete env.ANTHROPIC_API_KEY;
  }
  Object.assign(env, compactionEnv(opts.contextWindow));
  return env;
}

/** Claude Code (2.1.328 to 2.1.332, the pinned devDependency) floors CLAUDE_CODE_AUTO_COMPACT_WINDOW at this (and warns below it). */
export const CLAUDE_MIN_COMPACT_WINDOW = 100_000;

/**
 * Makes Claude Code compact before the backend's window overflows. Below the 100k floor the
 * window is set to the floor and CLAUDE_AUTOCOMPACT_PCT_OVERRIDE lowers the threshold to 80% of
 * the real window (checked against the real CLI in test/e2e/launcher.test.ts).
 */
export function compactionEnv(window: number | undefined): Record<string, string> {
  if (!window) return {};
  if (window >= CLAUDE_MIN_COMPACT_WINDOW) return { CLAUDE_CODE_AUTO_COMPACT_WINDOW: String(window) };
  const pct = Math.max(1, Math.floor((0.8 * window * 100) / CLAUDE_MIN_COMPACT_WINDOW));
  return { CLAUDE_CODE_AUTO_COMPACT_WINDOW: String(CLAUDE_MIN_COMPACT_WINDOW), CLAUDE_AUTOCOMPACT_PCT_OVERRIDE: String(pct) };
}
