// A body's buffer goes back once the exchange has settled and every POST of it (retries included,
// transport.ts) is done with its bytes, in whatever order those come; once only.
import { expect, test } from "bun:test";
import { BodyLease } from "../../src/runtime/body-lease.ts";

type Step = "hold" | "settle" | `done ${number}`;
const cases: [string, Step[], boolean][] = [
  ["one POST done, then settled", ["hold", "done 0", "settle"], true],
  ["settled (the answer came) while the POST still writes", ["hold", "settle"], false],
  ["settled, then the POST done", ["hold", "settle", "done 0"], true],
  ["a retry while the first POST still writes", ["hold", "hold", "done 1", "settle"], false],
  ["a retry, both done, settled", ["hold", "hold", "done 1", "settle", "done 0"], true],
  ["a POST done twice (finish, then close) does not stand for another", ["hold", "hold", "done 0", "done 0", "settle"], false],
  ["not settled", ["hold", "done 0"], false],
  ["no POST made (the client was gone)", ["settle"], true],
];

for (const [name, steps, back] of cases)
  test(name, () => {
    let given = 0;
    const lease = new BodyLease(() => given++);
    const holds: (() => void)[] = [];
    for (const step of steps) {
      if (step === "hold") holds.push(lease.hold());
      else if (step === "settle") lease.settle();
      else holds[Number(step.slice(5))]!();
    }
    expect(given).toBe(back ? 1 : 0);
    // Nothing after gives it back again.
    lease.settle();
    for (const done of holds) done();
    expect(given).toBe(back || holds.length ? 1 : 0);
  });
