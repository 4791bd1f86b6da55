// `trace compare <folder of test-model results>`: the models side by side as a table, JSON or the
// HTML model page. Returns false when the folder holds no test-model results.
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { ConsolaInstance } from "consola";
import { writeError } from "../cli/errors.ts";
import { modelRows, renderModelPage } from "../trace/model-page.ts";
import { readResults } from "./result.ts";

export function compareModelTests(dir: string, args: { html?: unknown; json?: unknown }, print: (s: string) => void, logger: ConsolaInstance): boolean {
  const results = readResults(dir);
  if (!results.length) return false;
  if (args.html) {
    const out = resolve(String(args.html));
    try {
      writeFileSync(out, renderModelPage(results));
    } catch (e) {
      throw writeError(out, e, "write model page");
    }
    logger.success(`model page: ${out}`);
  }
  const rows = modelRows(results);
  if (args.json) {
    print(JSON.stringify(rows, null, 2));
    return true;
  }
  const n = (x: number | null) => (x === null ? "n/a" : String(x)).padStart(14);
  print(`${"backend/model".padEnd(36)} ${"verdict".padEnd(22)} ${"score".padStart(6)} ${"prefill tok/s".padStart(14)} ${"follow-up ms".padStart(14)} ${"decode tok/s".padStart(14)}`);
  for (const r of rows)
    print(`${r.label.slice(0, 36).padEnd(36)} ${r.verdict.padEnd(22)} ${`${r.passed}/${r.total}`.padStart(6)} ${n(r.prefillTokensPerSecond)} ${n(r.followUpTtftMs)} ${n(r.decodeTokensPerSecond)}`);
  return true;
}
