// Servers refusing one request parameter (test/fixtures/refusals): each fixture the response's bytes,
// where they were quoted, and which parameter it refuses (null: a failure that is not asked again).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RefusedParameter } from "../../src/backends/refused-parameters.ts";
import type { WireResponse } from "./wire-corpus.ts";

const DIR = join(import.meta.dir, "../fixtures/refusals");

export interface RefusalFixture {
  name: string;
  source: string;
  refuses: RefusedParameter | null;
  response: WireResponse;
}

export function loadRefusals(): RefusalFixture[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ""), ...(JSON.parse(readFileSync(join(DIR, f), "utf8")) as Omit<RefusalFixture, "name">) }));
}

export const refusalNamed = (name: string): RefusalFixture => {
  const found = loadRefusals().find((f) => f.name === name);
  if (!found) throw new Error(`no refusal fixture ${name}`);
  return found;
};

/** The fixture's body as one string. */
export const bodyText = (f: RefusalFixture): string => f.response.body.filter((b): b is string => typeof b === "string").join("");
