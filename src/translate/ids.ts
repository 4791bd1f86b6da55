// Id minting (protocol.md §2.4, T5). Ids sent to Claude Code are always fresh and match [A-Za-z0-9_-].
import { createHash, randomBytes } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += BASE62[bytes[i % bytes.length]! % 62];
  return out;
}

export type IdKind = "msg" | "toolu" | "req";
export type IdFactory = (kind: IdKind) => string;

export const randomId: IdFactory = (kind) => `${kind}_${base62(randomBytes(24), 24)}`;

/** Deterministic ids for tests: msg_0001, toolu_0001, ... per kind. */
export function sequentialIds(): IdFactory {
  const counters: Record<string, number> = {};
  return (kind) => `${kind}_${String((counters[kind] = (counters[kind] ?? 0) + 1)).padStart(4, "0")}`;
}

/** Mistral templates demand 9 alphanumerics; derive them deterministically so history stays stable. */
export function mistralToolId(id: string): string {
  return base62(createHash("sha256").update(id).digest(), 9);
}
