// Tool names (T13): OpenAI requires ^[a-zA-Z0-9_-]{1,64}$. Longer or odd names (MCP tools) are
// shortened deterministically and mapped back when the model calls them.
import { createHash } from "node:crypto";

const VALID = /^[a-zA-Z0-9_-]{1,64}$/;

export function toBackendToolName(name: string): string {
  if (VALID.test(name)) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 55)}_${hash}`;
}

const normalise = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

/** Maps a name returned by the backend to the name Claude Code declared. */
export function makeToolNameResolver(declared: readonly string[]): (returned: string) => string {
  const exact = new Map<string, string>();
  const loose = new Map<string, string>();
  for (const name of declared) {
    exact.set(toBackendToolName(name), name);
    exact.set(name, name);
    loose.set(normalise(name), name);
  }
  // Some servers (LM Studio) rename tools; fall back to a case/punctuation-insensitive match.
  return (returned) => exact.get(returned) ?? loose.get(normalise(returned)) ?? returned;
}

/**
 * A call's name after a fragment that names it. llama.cpp sends the whole name again when its
 * partial parse settles on a longer declared name ("Task", then "TaskOutput": common/chat.cpp
 * compute_diffs lets a name grow); any other later name is a repeat or noise (LiteLLM's "null").
 */
export function laterName(current: string, incoming: string | null | undefined): string {
  if (!incoming) return current;
  if (!current || (incoming.length > current.length && incoming.startsWith(current))) return incoming;
  return current;
}
