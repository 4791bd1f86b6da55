// `trace compare --html` on test-model results: a page that cannot be written says where and why,
// as the replay report does (never "does not exist" about the file being created).
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consola } from "consola";
import { compareModelTests } from "../../src/testmodel/compare.ts";
import { type ModelTestResult, RESULT_KIND, saveResult } from "../../src/testmodel/result.ts";

test("a model page into a missing folder is one line naming the missing folder", () => {
  const dir = mkdtempSync(join(tmpdir(), "model-tests-"));
  const result = {
    kind: RESULT_KIND,
    version: 1,
    mode: "openai",
    model: "m",
    contextWindow: null,
    startedAt: "2026-11-30T12:00:00.000Z",
    probes: [],
    repairs: { repaired: 0, calls: 0 },
    speed: { prefillTokensPerSecond: null, followUpTtftMs: null, decodeTokensPerSecond: null },
    tasks: null,
    verdict: "ready",
    advice: [],
  } as unknown as ModelTestResult;
  saveResult(dir, result);
  const missing = join(dir, "no-such-folder");
  expect(() => compareModelTests(dir, { html: join(missing, "page.html") }, () => {}, consola)).toThrow(
    `cannot write model page ${join(missing, "page.html")}: ${missing} does not exist`,
  );
});
