// The plain reporter must print byte for byte what consola's own fancy reporter prints with colour off
// (the lines users and the e2e tests see in pipes). The oracle is consola itself, forced to its fancy reporter.
import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { createConsola as createFancy, type ConsolaInstance } from "consola";
import { createConsola as createBasic, LogLevels } from "consola/basic";
import { plainReporter, usePlainLines } from "../../src/cli/plain-reporter.ts";

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = "";
  const stream = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
  // consola only calls write(); a Writable that is not a tty stands for a pipe.
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => out };
}

const nested = new Error("upstream closed", { cause: new Error("socket hang up") });
const bad = new TypeError("bad");
const calls: [string, (l: ConsolaInstance) => void][] = [
  ["info", (l) => l.info("listening on http://127.0.0.1:4000")],
  ["warn with a number", (l) => l.warn("context window", 32768, "tokens")],
  ["error text", (l) => l.error("unknown command sevre; did you mean anyclaude serve?")],
  ["error object with cause", (l) => l.error(nested)],
  ["error text then object", (l) => l.error("request failed:", bad)],
  ["debug object", (l) => l.debug("body", { model: "m", n: [1, 2], deep: { a: { b: { c: {} } } } })],
  ["success", (l) => l.success("done")],
  ["start", (l) => l.start("loading model")],
  ["log", (l) => l.log("plain")],
  ["ready", (l) => l.ready("ok")],
  ["fail", (l) => l.fail("no")],
  ["multi-line", (l) => l.info("first\nsecond `code`\nthird")],
  ["markup", (l) => l.info("run `anyclaude setup` then _restart_ it")],
  ["format specifiers", (l) => l.info("%s took %d ms %j", "probe", 12, { a: 1 })],
  ["badge true", (l) => l.warn({ message: "boxed", badge: true })],
  ["empty", (l) => l.info("")],
];

describe.skipIf(process.stdout.isTTY === true || "FORCE_COLOR" in process.env)("plainReporter matches consola's fancy reporter in a pipe", () => {
  for (const [name, call] of calls) {
    test(name, () => {
      const want = capture();
      const got = capture();
      const opts = { level: LogLevels.trace };
      // `fancy` is consola's Node entry option (what the app's logger gets outside tests); its browser typings omit it.
      const fancyOptions = { ...opts, fancy: true, stdout: want.stream, stderr: want.stream };
      call(createFancy(fancyOptions).withTag("anyclaude"));
      call(createBasic({ ...opts, reporters: [plainReporter], stdout: got.stream, stderr: got.stream }).withTag("anyclaude"));
      expect(want.text().length).toBeGreaterThan(0);
      expect(got.text()).toBe(want.text());
    });
  }
});

describe("usePlainLines", () => {
  const cases: [string, NodeJS.ProcessEnv, string[], string, boolean, boolean, boolean][] = [
    ["pipes, plain env", { TERM: "xterm" }, [], "linux", false, false, true],
    ["stderr a terminal", {}, [], "linux", false, true, false],
    ["stdout a terminal (consola colours by stdout)", {}, [], "linux", true, false, false],
    ["FORCE_COLOR", { FORCE_COLOR: "1" }, [], "linux", false, false, false],
    ["--color", {}, ["--color"], "linux", false, false, false],
    ["CI", { CI: "true" }, [], "linux", false, false, false],
    ["NODE_ENV=test", { NODE_ENV: "test" }, [], "linux", false, false, false],
    ["TEST", { TEST: "1" }, [], "linux", false, false, false],
    ["linux console (no unicode icons)", { TERM: "linux" }, [], "linux", false, false, false],
    ["windows", {}, [], "win32", false, false, false],
  ];
  test.each(cases)("%s", (_name, env, argv, platform, out, err, want) => {
    expect(usePlainLines(env, argv, platform, out, err)).toBe(want);
  });
});
