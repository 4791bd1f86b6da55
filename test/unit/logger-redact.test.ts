// Every line the logger writes is redacted, errors included: a failing fetch's message, its stack and
// its cause may quote a base URL with user:password@ or an upstream key.
import { afterEach, expect, test } from "bun:test";
import { createLogger } from "../../src/cli/logger.ts";

const written: string[] = [];
const write = process.stderr.write.bind(process.stderr);
afterEach(() => {
  process.stderr.write = write;
  written.length = 0;
});

function capture(): void {
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
}

const SECRETS = ["hunter2", "sk-or-SECRET-5555", "sk-upstream-SECRET-6666", "sk-cause-SECRET-7777"];

const cases: [string, () => unknown[]][] = [
  ["a string", () => [`cannot reach http://admin:${SECRETS[0]}@example.test/v1 with ${SECRETS[1]}`]],
  ["an error", () => [new Error(`fetch http://admin:${SECRETS[0]}@example.test/v1 failed: key ${SECRETS[2]} refused`)]],
  ["an error's cause", () => [new Error("upstream failed", { cause: new Error(`401 for ${SECRETS[3]}`) })]],
  ["a string and an error", () => ["request failed:", new Error(`bad key ${SECRETS[1]} at http://u:${SECRETS[0]}@h.test`)]],
];

for (const [name, args] of cases) {
  test(`${name}: logged, without its secrets`, () => {
    const logger = createLogger(2);
    capture();
    logger.error(...(args() as [unknown, ...unknown[]]));
    process.stderr.write = write;
    const out = written.join("");
    expect(out).toMatch(/failed|cannot reach/);
    expect(out).toMatch(/\[redacted\]|<redacted>/);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
  });
}

test("the original error is left as it was (the caller may still use it)", () => {
  const e = new Error(`key ${SECRETS[2]}`);
  createLogger(0);
  capture();
  createLogger(0).warn(e);
  process.stderr.write = write;
  expect(e.message).toContain(SECRETS[2]!);
});
