// Thinking signatures are HMAC-SHA256 of the thinking text, in base64 after "local:": under Bun
// made by its native hasher, which must agree with node:crypto (the Node bundle's) on every text.
import { expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { makeSigner } from "../../src/translate/signature.ts";

const secret = new Uint8Array(32).map((_, i) => i * 7);
const texts = ["", "Plan.", "café", "😀 pair", "lone \ud800 high", "lone \udc00 low", "\u0000 nul", "x".repeat(70_000), `${"ü".repeat(5000)}\ud83d`];

test.each(texts.map((t) => [t.slice(0, 12), t]))("the signature of %j is node:crypto's HMAC", (_, text) => {
  expect(makeSigner(secret)(text)).toBe(`local:${createHmac("sha256", secret).update(text).digest("base64")}`);
});

test("each signer keeps its own secret", () => {
  expect(makeSigner(secret)("Plan.")).not.toBe(makeSigner(new Uint8Array(32))("Plan."));
  expect(makeSigner()("Plan.")).not.toBe(makeSigner()("Plan."));
});
