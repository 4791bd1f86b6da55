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
  if (opts.contextWindow) env.CLAUDE_CODE_AUTO_COMPACT_WINDOW = String(opts.contextWindow);
  return env;
}
