// Real Claude Code 2.1.328 requests, captured and kept in the repository (test/fixtures/claude-code).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURE_DIR = join(import.meta.dir, "../fixtures/claude-code");

export interface Fixture {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> & { messages: unknown[] };
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), "utf8")) as Fixture;
}
