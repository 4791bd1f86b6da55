// With no mode configured, look for a local server on the usual ports.
import type { Mode } from "../config/schema.ts";

export const PROBE_ORDER: { mode: Mode; url: string }[] = [
  { mode: "lmstudio", url: "http://127.0.0.1:1234/v1" },
  { mode: "ollama", url: "http://127.0.0.1:11434/v1" },
  { mode: "llamacpp", url: "http://127.0.0.1:8080/v1" },
  { mode: "vllm", url: "http://127.0.0.1:8000/v1" },
];

export async function probeLocalServers(candidates = PROBE_ORDER, timeoutMs = 500): Promise<{ mode: Mode; url: string } | null> {
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
