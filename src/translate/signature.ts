// Synthetic signatures for thinking blocks made from backend reasoning (T11). Recognisable by
// their "local:" prefix so a later passthrough to Anthropic can strip them.
import { createHmac, randomBytes } from "node:crypto";

export const LOCAL_SIGNATURE_PREFIX = "local:";

export function makeSigner(secret: Uint8Array = randomBytes(32)): (thinking: string) => string {
  return (thinking) => LOCAL_SIGNATURE_PREFIX + createHmac("sha256", secret).update(thinking).digest("base64");
}
