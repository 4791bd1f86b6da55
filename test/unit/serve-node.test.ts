// Under Node a response's first writes are held together until the event loop turns once more.
import { expect, test } from "bun:test";
import { coalesceWrites } from "../../src/runtime/serve-node.ts";

test("coalesceWrites corks at once and uncorks once, after the current turn's writes", async () => {
  const calls: string[] = [];
  const outgoing = { cork: () => void calls.push("cork"), uncork: () => void calls.push("uncork") };
  coalesceWrites(outgoing);
  // What the adapter does right after: headers, a chunk, the end, all within promise jobs.
  await Promise.resolve().then(() => calls.push("write"));
  await Promise.resolve().then(() => calls.push("end"));
  expect(calls).toEqual(["cork", "write", "end"]);
  await new Promise((r) => setImmediate(r));
  expect(calls).toEqual(["cork", "write", "end", "uncork"]);
});
