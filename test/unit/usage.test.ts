// When --help may colour its output: no-color.org (any non-empty NO_COLOR), FORCE_COLOR, TTY, TERM=dumb.
import { expect, test } from "bun:test";
import { wantsColour } from "../../src/cli/usage.ts";

const cases: [string, NodeJS.ProcessEnv, boolean, boolean][] = [
  ["a terminal", {}, true, true],
  ["a pipe", {}, false, false],
  ["NO_COLOR=1 on a terminal", { NO_COLOR: "1" }, true, false],
  ["NO_COLOR=true (any non-empty value)", { NO_COLOR: "true" }, true, false],
  ["NO_COLOR empty is unset", { NO_COLOR: "" }, true, true],
  ["TERM=dumb", { TERM: "dumb" }, true, false],
  ["FORCE_COLOR into a pipe", { FORCE_COLOR: "1" }, false, true],
  ["FORCE_COLOR=0", { FORCE_COLOR: "0" }, false, false],
  ["NO_COLOR beats FORCE_COLOR", { NO_COLOR: "1", FORCE_COLOR: "1" }, true, false],
];
for (const [name, env, tty, expected] of cases) test(`colour on ${name}: ${expected}`, () => expect(wantsColour(env, tty)).toBe(expected));
