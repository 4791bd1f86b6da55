// With no mode configured, look for a local server on the usual ports (servers.ts says which).
import type { Mode } from "../config/schema.ts";
import { localServers } from "./servers.ts";

export async function probeLocalServers(candidates = localServers(), timeoutMs = 500): Promise<{ mode: Mode; url: string } | null> {
  const answers = await Promise.all(
    candidates.map(async (c) => {
      try {
        const res = await fetch(`${c.url}/models`, { signal: AbortSignal.timeout(timeoutMs) });
        return res.ok ? c : null;
      } catch {
        return null;
      }
    }),
  );
  return answers.find((a) => a !== null) ?? null;
}
