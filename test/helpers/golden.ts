// Runs one frozen scenario (test/fixtures/sse-golden) through the real server: a scripted upstream
// answers, the proxy runs with deterministic ids and signatures, and the client's bytes come back.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ProfileName } from "../../src/backends/profiles.ts";
import { sequentialIds } from "../../src/translate/ids.ts";
import { makeSigner } from "../../src/translate/signature.ts";
import { loadFixture } from "./fixtures.ts";
import { startProxy } from "./proxy.ts";
import { type Reply, startUpstream } from "./upstream.ts";

export const GOLDEN_DIR = join(import.meta.dir, "../fixtures/sse-golden");

export interface Scenario {
  /** Where the upstream frames come from (which server's wire format, which bug report). */
  source: string;
  profile: ProfileName;
  /** An inline request body, or a captured Claude Code body with fields overridden. */
  request: Record<string, unknown> | { fixture: string; overrides: Record<string, unknown> };
  replies: Reply[];
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

export interface Golden extends Scenario {
  /** The commit whose server produced `expected`. */
  recordedAt: string;
  expected: Answer;
}

export function requestBody(s: Scenario): string {
  const r = s.request;
  if ("fixture" in r && typeof r.fixture === "string") return JSON.stringify({ ...loadFixture(r.fixture).body, ...(r.overrides as object) });
  return JSON.stringify(r);
}

export async function runScenario(s: Scenario): Promise<Answer> {
  const upstream = await startUpstream(s.replies);
  const proxy = await startProxy({
    upstreamUrl: upstream.url,
    profile: s.profile,
    backend: { ids: sequentialIds(), sign: makeSigner(new Uint8Array(32).fill(7)) },
    app: { ids: sequentialIds() },
  });
  try {
    const res = await fetch(`${proxy.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: requestBody(s) });
    return { status: res.status, contentType: res.headers.get("content-type") ?? "", body: await res.text() };
  } finally {
    await proxy.stop();
    await upstream.stop();
  }
}

export function loadGoldens(): { name: string; golden: Golden }[] {
  return readdirSync(GOLDEN_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ""), golden: JSON.parse(readFileSync(join(GOLDEN_DIR, f), "utf8")) as Golden }));
}
