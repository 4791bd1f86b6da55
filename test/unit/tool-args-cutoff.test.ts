// Issue 9: a tool call cut off anywhere in its arguments is never completed. For every prefix of
// real calls (Claude Code's own schemas), repair yields exactly the full call or a cut-off verdict.
import { describe, expect, test } from "bun:test";
import { repairToolArguments } from "../../src/translate/tool-args.ts";
import { prefixesOf, REAL_CALLS, schemaOf } from "../helpers/tool-calls.ts";

describe("repairToolArguments over every truncation point of real calls", () => {
  for (const { name, args } of REAL_CALLS) {
    const full = JSON.parse(args) as Record<string, unknown>;
    const schema = schemaOf(name);

    test(`${name} ${JSON.stringify(args.slice(0, 40))}…: the whole call is kept as written`, () => {
      expect(repairToolArguments(args, schema)).toEqual({ ok: true, input: full, repaired: false });
      expect(repairToolArguments(args, schema, { truncatedResponse: true })).toEqual({ ok: true, input: full, repaired: false });
    });

    for (const truncatedResponse of [false, true]) {
      test(`${name} ${JSON.stringify(args.slice(0, 40))}…: every prefix is the full call or cut off${truncatedResponse ? " (after max_tokens)" : ""}`, () => {
        let accepted = 0;
        for (const prefix of prefixesOf(args)) {
          const r = repairToolArguments(prefix, schema, { truncatedResponse });
          if (r.ok) {
            // Only a missing closing brace after every declared property may be accepted.
            expect({ prefix, input: r.input }).toEqual({ prefix, input: full });
            accepted++;
          } else expect({ prefix, cutOff: r.cutOff }).toEqual({ prefix, cutOff: true });
        }
        // A missing brace is forgiven only with every property present and a last value that
        // cannot go on (`"limit":2000` without its brace might have been `"limit":20000`).
        const everyPropertyPresent = Object.keys(schema.properties as object).every((k) => k in full);
        const endsInNumber = /\d\s*\}\s*$/.test(args);
        if (truncatedResponse || !everyPropertyPresent || endsInNumber) expect(accepted).toBe(0);
        else expect(accepted).toBeGreaterThan(0);
      });
    }
  }

  test("the issue's example is not run", () => {
    expect(repairToolArguments('{"command": "rm -rf ./', schemaOf("Bash"))).toMatchObject({ ok: false, cutOff: true });
  });
});
