// Counting the tokens of texts, in linear time and without holding the event loop.
//
// gpt-tokenizer's byte-pair merge is quadratic in the length of one pre-token, and a run of one
// character class (80k × "x", a wall of spaces or "=") is one pre-token: 80k characters took 15 s.
// So texts are cut into segments whose same-class runs are short, counted segment by segment,
// with a turn of the event loop every few thousand characters. Past a budget of characters per
// call the rest is estimated from the ratio measured so far, which bounds the time of any body.

/** The tokens of each text, and what counted them (a server's tokenizer may fall back to ours). */
export interface Counted {
  tokens: number[];
  by: string;
}

/** Counts the tokens of each text; one call covers one request, so the budget is per request. */
export interface TextCounter {
  /** What counts, for the log (e.g. "o200k_base"). */
  readonly name: string;
  count(texts: readonly string[]): Promise<Counted>;
}

/** Runs of one character class longer than this are cut (o200k has no longer tokens of one class that matter). */
export const MAX_RUN = 32;
/** Beyond this many characters a segment ends at the next change of character class. */
export const SEGMENT_CHARS = 8192;
/** Characters counted exactly per call; the rest is estimated. ~250k tokens of prose, ~1 s of base64. */
export const EXACT_CHARS = 1_000_000;
/** Characters between turns of the event loop. */
const YIELD_CHARS = 32_768;

// Classes that the o200k pre-tokenizer splits between: whitespace, digits, letters, the rest.
function charClass(code: number): number {
  if (code === 32 || (code >= 9 && code <= 13)) return 0;
  if (code >= 48 && code <= 57) return 1;
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127) return 2;
  return 3;
}

/** The text cut so that no run of one character class exceeds maxRun and segments stay near segmentChars. */
export function* segments(text: string, maxRun = MAX_RUN, segmentChars = SEGMENT_CHARS): Generator<string> {
  let start = 0;
  let run = 0;
  let prev = -1;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const k = charClass(code);
    // A surrogate half is 2 of an emoji's 4 UTF-8 bytes: the merge works on bytes.
    const weight = code >= 0xd800 && code <= 0xdfff ? 2 : 1;
    run = k === prev ? run + weight : weight;
    // Never between the two halves of a surrogate pair.
    if ((run > maxRun || (k !== prev && i - start >= segmentChars)) && (code < 0xdc00 || code > 0xdfff)) {
      yield text.slice(start, i);
      start = i;
      run = weight;
    }
    prev = k;
  }
  if (start < text.length || text.length === 0) yield text.slice(start);
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A counter over a synchronous count of one (short) segment: splitting, yielding and the budget. */
export function segmentedCounter(name: string, countSegment: (segment: string) => number, exactChars = EXACT_CHARS): TextCounter {
  return {
    name,
    async count(texts) {
      let exact = 0;
      let exactTokens = 0;
      let sinceTurn = 0;
      const out: number[] = [];
      for (const text of texts) {
        let n = 0;
        let rest = text.length;
        for (const segment of segments(text)) {
          if (exact >= exactChars) break;
          const tokens = countSegment(segment);
          n += tokens;
          exactTokens += tokens;
          exact += segment.length;
          rest -= segment.length;
          sinceTurn += segment.length;
          if (sinceTurn >= YIELD_CHARS) {
            sinceTurn = 0;
            await turn();
          }
        }
        // Over budget: the ratio of what was counted (prose ~4 characters a token) stands for the rest.
        if (rest > 0) n += Math.ceil(rest * (exact ? exactTokens / exact : 0.25));
        out.push(n);
      }
      return { tokens: out, by: name };
    },
  };
}

type Encoding = typeof import("gpt-tokenizer/encoding/o200k_base");
let encoding: Promise<Encoding> | undefined;

// The encoding is 2.4 MB of tables: loaded on first use, never at start-up.
function loadEncoding(): Promise<Encoding> {
  encoding ??= import("gpt-tokenizer/encoding/o200k_base").then((enc) => {
    // Its merge cache (100k entries, evicted from the front of a Map) slows unique text down 10×.
    enc.setMergeCacheSize(0);
    return enc;
  });
  return encoding;
}

// Special-token text inside prompts (e.g. "<|endoftext|>" in a file) is counted as plain text.
const PLAIN = { disallowedSpecial: new Set<string>() };

/** gpt-tokenizer's o200k_base: the counter when the backend offers none of its own. */
export function localCounter(exactChars = EXACT_CHARS): TextCounter {
  return {
    name: "o200k_base",
    async count(texts) {
      const enc = await loadEncoding();
      return segmentedCounter("o200k_base", (s) => enc.countTokens(s, PLAIN), exactChars).count(texts);
    },
  };
}
