import { expect, test } from "bun:test";
import { createConsola } from "consola";
import { chooseMode } from "../../src/cli/choose-mode.ts";
import { resolveConfig } from "../../src/config/load.ts";
import type { Mode } from "../../src/config/schema.ts";

const quiet = createConsola({ level: -999 });
const configWith = (file: unknown) =>
  resolveConfig({ flags: {}, env: {}, cwd: "/work", home: "/home/u", platform: "linux", arch: "x64", readFile: (p) => (p === "/work/.anyclauderc.json" ? JSON.stringify(file) : undefined) });

test("probing looks only for the local servers the config leaves enabled", async () => {
  const probed: Mode[] = [];
  const probe = async (candidates: { mode: Mode; url: string }[]) => {
    probed.push(...candidates.map((c) => c.mode));
    const c = candidates[0];
    return c ? { mode: c.mode, url: c.url } : null;
  };
  const all = await chooseMode(configWith({}), quiet, probe);
  expect(probed).toContain("lmstudio");
  expect(all?.mode).toBe(probed[0]!);

  probed.length = 0;
  const chosen = await chooseMode(configWith({ backends: { lmstudio: { enabled: false }, ollama: { enabled: true } } }), quiet, probe);
  expect(probed).not.toContain("lmstudio");
  expect(probed).toContain("ollama");
  expect(chosen?.mode).not.toBe("lmstudio");
});
