// Id minting (protocol.md §2.4, T5). Ids sent to Claude Code are always fresh and match [A-Za-z0-9_-].
import { Buffer } from "node:buffer";
import { createHash, randomFillSync } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE62_CODES = Uint8Array.from(BASE62, (c) => c.charCodeAt(0));
const UNDERSCORE = 0x5f;
/** Characters after the kind's prefix, one random byte each. */
const ID_CHARS = 24;
/** Ids drawn per call to the system's generator. */
const IDS_PER_BLOCK = 128;

function base62(bytes: Uint8Array, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += BASE62[bytes[i % bytes.length]! % 62];
  return out;
}

export type IdKind = "msg" | "toolu" | "req";
export type IdFactory = (kind: IdKind) => string;

/**
 * Random ids whose bytes are drawn a block at a time: under Node each call to the generator costs
 * ~4 µs however few bytes it returns (a trip into OpenSSL, which also checks the pid), and a
 * request takes two ids or more. Each id uses its own bytes of the block, never reused.
 */
export function randomIds(fill: (block: Uint8Array) => void = randomFillSync, idsPerBlock = IDS_PER_BLOCK): IdFactory {
  const block = Buffer.alloc(ID_CHARS * idsPerBlock);
  /** The id's bytes, decoded at once: appending char by char makes a rope (a cons string per char past the 13th). */
  const id = Buffer.alloc(32);
  let at = block.length;
  return (kind) => {
    if (at + ID_CHARS > block.length) {
      fill(block);
      for (let i = 0; i < block.length; i++) block[i] = BASE62_CODES[block[i]! % 62]!;
      at = 0;
    }
    const prefix = id.write(kind, 0, "latin1");
    id[prefix] = UNDERSCORE;
    block.copy(id, prefix + 1, at, at + ID_CHARS);
    at += ID_CHARS;
    // One flat string (~60 B): the rope was ~550 B, kept as long as the id (the request-id header, the message id).
    return id.toString("latin1", 0, prefix + 1 + ID_CHARS);
  };
}

export const randomId: IdFactory = randomIds();

/** Deterministic ids for tests: msg_0001, toolu_0001, ... per kind. */
export function sequentialIds(): IdFactory {
  const counters: Record<string, number> = {};
  return (kind) => `${kind}_${String((counters[kind] = (counters[kind] ?? 0) + 1)).padStart(4, "0")}`;
}

/** Mistral templates demand 9 alphanumerics; derive them deterministically so history stays stable. */
export function mistralToolId(id: string): string {
  return base62(createHash("sha256").update(id).digest(), 9);
}
