// The run that lays out the linux-x64 executable's bytecode (scripts/release/bytecode-order.ts): on the
// shipped binary it serves two streamed turns and leaves Bun's order file; a binary that cannot serve
// stops the build with what it printed, never an executable laid out by nothing.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recordBytecodeOrder } from "../../scripts/release/bytecode-order.ts";
import { type Artefacts, artefacts } from "../helpers/artefacts.ts";
import { tempDir } from "../helpers/processes.ts";

// Processes and builds on a shared 2-core machine: bun's 5 s default is too tight.
setDefaultTimeout(60_000);

let built: Artefacts;
beforeAll(async () => {
  built = await artefacts();
}, 120_000);

describe("recordBytecodeOrder", () => {
  test("the shipped binary's serve run writes an order file listing the modules and functions it loaded", async () => {
    const order = join(tempDir("order"), "serve.order");
    await recordBytecodeOrder(built.binary, order);
    const lines = readFileSync(order, "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^v\d+$/);
    const kinds = new Set(lines.slice(1).map((l) => l.split(" ")[0]));
    expect(kinds.has("M")).toBe(true);
    expect(kinds.has("F")).toBe(true);
    // start-up, the request path and shutdown: thousands of entries, not a handful
    expect(lines.length).toBeGreaterThan(1000);
  });

  test("an executable that does not serve rejects with its own output, and leaves no order file", async () => {
    const dir = tempDir("order-broken");
    const broken = join(dir, "broken");
    writeFileSync(broken, "#!/bin/sh\necho 'cannot start: boom' >&2\nexit 3\n");
    chmodSync(broken, 0o755);
    const order = join(dir, "serve.order");
    const err = await recordBytecodeOrder(broken, order).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain("serve did not start");
    expect(err?.message).toContain("cannot start: boom");
    expect(existsSync(order)).toBe(false);
  });
});
