// A conversation's first messages as they sat in the last body read: their bytes are one view into
// that body, so the next turn's body is compared with all of them in one Buffer.compare instead of
// one per message. Under Node 20 each compare with offsets is a call into C++: ~140 us for the 500
// messages of a long session, ~6 us as one. Pure but for the bytes viewed, which nobody writes.

/** The messages' bytes, commas between, as a body held them (a view into it), and where each ends. */
export interface MessageRun {
  bytes: Buffer;
  /** After message i: its end in `bytes` (where the comma after it, or the array's end, was). */
  ends: number[];
}

const COMMA = 0x2c;
const CLOSE = 0x5d;

/** `length` bytes of `bytes` at `at` of `buf`. */
const sameAt = (buf: Buffer, at: number, bytes: Uint8Array, length: number) =>
  at + length <= buf.length && buf.compare(bytes, 0, length, at, at + length) === 0;

/** The message's bytes at `pos`, whole: followed by the comma before the next or the array's end. */
export function wholeAt(buf: Buffer, pos: number, bytes: Uint8Array): boolean {
  const end = pos + bytes.length;
  return sameAt(buf, pos, bytes, bytes.length) && (buf[end] === COMMA || buf[end] === CLOSE);
}

/**
 * The run of `messages` (their bytes in order) that `buf` holds whole from `start`, commas between:
 * the first `known` are known to be there, the others are compared. Undefined when none is.
 * `before`: a run of the same first messages, whose ends are theirs here too (they follow from the
 * messages' lengths alone).
 */
export function runAt(buf: Buffer, start: number, messages: readonly { bytes: Uint8Array }[], known: number, before?: MessageRun): MessageRun | undefined {
  const ends = before ? before.ends.slice(0, Math.min(known, before.ends.length)) : [];
  let pos = ends.length ? start + ends.at(-1)! + 1 : start;
  for (let i = ends.length; i < messages.length; i++) {
    const bytes = messages[i]!.bytes;
    if (i >= known && !wholeAt(buf, pos, bytes)) break;
    ends.push(pos + bytes.length - start);
    pos += bytes.length + 1;
    if (buf[pos - 1] === CLOSE) break;
  }
  return ends.length ? { bytes: buf.subarray(start, start + ends.at(-1)!), ends } : undefined;
}

/**
 * How many of the run's first messages `buf` holds whole from `start`, as comparing them one by one
 * finds: holding the first k means holding the first j < k, so the count is searched for, the whole
 * run and all but its last first (Claude Code moves the cache_control of the last message).
 */
export function runLength(buf: Buffer, run: MessageRun, start: number): number {
  const holds = (k: number) => {
    const end = run.ends[k - 1]!;
    return sameAt(buf, start, run.bytes, end) && (buf[start + end] === COMMA || buf[start + end] === CLOSE);
  };
  const n = run.ends.length;
  if (holds(n)) return n;
  if (n < 2 || holds(n - 1)) return n - 1;
  let [lo, hi] = [0, n - 2];
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (holds(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
