// The start-up JIT policy (src/runtime/jit-policy.ts): set before any other module of the command line
// runs, and back to normal once the proxy listens, so the request path is compiled as usual.
import { afterEach, expect, spyOn, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { STARTUP_JIT_SCALE, useStartupJit } from "../../src/runtime/jit-policy.ts";
import { listen } from "../../src/runtime/serve.ts";
import { ROOT } from "../helpers/processes.ts";

const policy = spyOn(Bun.unsafe, "setJITPolicy");
afterEach(() => {
  Bun.unsafe.setJITPolicy(1); // the test runner's own policy, as it was
  policy.mockClear();
});

test("src/cli.ts imports the start-up policy before any other module", () => {
  const imports = new Bun.Transpiler({ loader: "ts" }).scanImports(readFileSync(join(ROOT, "src/cli.ts"), "utf8"));
  expect(imports[0]?.path).toBe("./runtime/startup-jit.ts");
});

test("start-up: JavaScriptCore's tier-up thresholds scaled up", () => {
  expect(STARTUP_JIT_SCALE).toBeGreaterThan(1);
  useStartupJit();
  expect(policy.mock.calls).toEqual([[STARTUP_JIT_SCALE]]);
});

test("listening: the policy is normal again, for the requests", async () => {
  useStartupJit();
  const server = await listen(() => new Response("ok"), { hostname: "127.0.0.1", port: 0 });
  try {
    expect(policy.mock.calls.at(-1)).toEqual([1]);
    expect(await (await fetch(server.url)).text()).toBe("ok");
  } finally {
    await server.stop();
  }
});
