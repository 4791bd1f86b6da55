// The Claude Code requests captured in ../shared/fixtures/claude-code (beside the repository).
import { readFileSync } from "node:fs";
import { join } from "node:path";

export const FIXTURE_DIR = process.env.ANYCLAUDE_FIXTURES ?? join(import.meta.dir, "../../../shared/fixtures/claude-code");

export interface Fixture {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown> & { messages: unknown[] };
}

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), "utf8")) as Fixture;
}
