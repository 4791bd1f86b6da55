// The runs that lay out the linux-x64 executable's bytecode (scripts/release/bytecode-order.ts): on the
// shipped binary, serve with two streamed turns and the launcher with a stand-in claude each leave Bun's
// order file; an executable that cannot run them stops the build with what it printed, never an
// executable laid out by nothing.
import { beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recordBytecodeOrders } from "../../scripts/release/bytecode-order.ts";
import { type Artefacts, artefacts } from "../helpers/artefacts.ts";
import { tempDir } from "../helpers/processes.ts";

// Processes and builds on a shared 2-core machine: bun's 5 s default is too tight.
setDefaultTimeout(60_000);

let built: Artefacts;
beforeAll(async () => {
  built = await artefacts();
}, 120_000);

describe("recordBytecodeOrders", () => {
  test("the shipped binary's serve and launcher runs each write an order file of the modules and functions they loaded", async () => {
    const dir = tempDir("order");
    const orders = await recordBytecodeOrders(built.binary, dir);
    expect(orders.map((o) => o.slice(dir.length + 1))).toEqual(["serve.order", "launch.order"]);
    for (const order of orders) {
      const lines = readFileSync(order, "utf8").trim().split("\n");
      expect(lines[0]).toMatch(/^v\d+$/);
      const kinds = new Set(lines.slice(1).map((l) => l.split(" ")[0]));
      expect(kinds.has("M")).toBe(true);
      expect(kinds.has("F")).toBe(true);
      // start-up, the request path or the launch, and the exit: thousands of entries, not a handful
      expect(lines.length).toBeGreaterThan(1000);
    }
    // The launcher's own code is in its file only: the two runs are not the same run twice.
    expect(readFileSync(orders[0]!, "utf8")).not.toBe(readFileSync(orders[1]!, "utf8"));
  });

  test("an executable that does not serve rejects with its own output, and leaves no order file", async () => {
    const dir = tempDir("order-broken");
    const broken = join(dir, "broken");
    writeFileSync(broken, "#!/bin/sh\necho 'cannot start: boom' >&2\nexit 3\n");
    chmodSync(broken, 0o755);
    const err = await recordBytecodeOrders(broken, dir).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toContain("serve did not start");
    expect(err?.message).toContain("cannot start: boom");
    expect(readdirSync(dir).filter((f) => f.endsWith(".order"))).toEqual([]);
    expect(existsSync(join(dir, "serve.order"))).toBe(false);
  });
});
