// The fast paths must not change a byte: each scenario's SSE (or JSON) answer was recorded once
// from the server as it was before the performance work (see `recordedAt`) and is replayed here.
import { describe, expect, test } from "bun:test";
import { loadGoldens, runScenario } from "../helpers/golden.ts";

const goldens = loadGoldens();

describe("frozen answers on the scripted upstream fixtures", () => {
  test("there are scenarios to compare", () => {
    expect(goldens.length).toBeGreaterThanOrEqual(15);
  });
  for (const { name, golden } of goldens) {
    test(name, async () => {
      const answer = await runScenario(golden);
      expect(answer.status).toBe(golden.expected.status);
      expect(answer.contentType).toBe(golden.expected.contentType);
      expect(answer.body).toBe(golden.expected.body);
    });
  }
});
