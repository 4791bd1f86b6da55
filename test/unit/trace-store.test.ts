import { expect, test } from "bun:test";
import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { listTraceFiles, pruneTraces } from "../../src/trace/store.ts";
import { redactHeaders, redactText, redactValue } from "../../src/trace/redact.ts";
import { tempDir } from "../helpers/processes.ts";

test("traces older than keepDays are pruned, newer ones kept; listing is oldest first across modes", () => {
  const root = tempDir("prune");
  for (const mode of ["lmstudio", "claude"]) mkdirSync(join(root, mode));
  const old = join(root, "lmstudio", "20261101T000000000Z-req_a.json");
  const fresh = join(root, "claude", "20261125T000000000Z-req_b.json");
  const newer = join(root, "lmstudio", "20261126T000000000Z-req_c.json");
  for (const f of [old, fresh, newer]) writeFileSync(f, "{}");
  const now = Date.now();
  utimesSync(old, new Date(now - 20 * 86_400_000), new Date(now - 20 * 86_400_000));
  expect(listTraceFiles(root).map((f) => f.path)).toEqual([old, fresh, newer]);
  expect(pruneTraces(root, 14, now)).toBe(1);
  expect(existsSync(old)).toBe(false);
  expect(existsSync(fresh) && existsSync(newer)).toBe(true);
});

test("redaction: headers, key-like strings, secret-named fields", () => {
  expect(redactHeaders({ "x-api-key": "abc", authorization: "Bearer xyz", "content-type": "application/json" })).toEqual({ "x-api-key": "[redacted]", authorization: "[redacted]", "content-type": "application/json" });
  expect(redactText("keys sk-ant-api03-abcdefgh and sk-or-v1-12345678 and anyclaude-AAAAAAAAAAAAAAAAAAAAAAAAAA")).toBe("keys [redacted] and [redacted] and [redacted]");
  expect(redactValue({ apiKey: "x", nested: [{ password: "p", note: "Bearer abcdefghijk" }], count: 3 })).toEqual({ apiKey: "[redacted]", nested: [{ password: "[redacted]", note: "[redacted]" }], count: 3 });
});
