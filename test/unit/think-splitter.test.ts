import { describe, expect, test } from "bun:test";
import { type Piece, ThinkSplitter } from "../../src/translate/think-splitter.ts";

function run(chunks: string[], preopened = false): { reasoning: string; text: string } {
  const s = new ThinkSplitter(preopened);
  const pieces: Piece[] = [...chunks.flatMap((c) => s.feed(c)), ...s.flush()];
  return {
    reasoning: pieces.filter((p) => p.kind === "reasoning").map((p) => p.text).join(""),
    text: pieces.filter((p) => p.kind === "text").map((p) => p.text).join(""),
  };
}

describe("ThinkSplitter", () => {
  const cases: [string, string[], boolean, string, string][] = [
    ["no tags", ["Hello ", "world"], false, "", "Hello world"],
    ["whole block", ["<think>plan</think>\nAnswer"], false, "plan", "Answer"],
    ["leading whitespace", ["\n\n<think>plan</think>Answer"], false, "plan", "Answer"],
    ["open tag split", ["<thi", "nk>plan</think>Answer"], false, "plan", "Answer"],
    ["close tag split", ["<think>pl", "an</thi", "nk>Answer"], false, "plan", "Answer"],
    ["close tag split per char", ["<think>x<", "/", "t", "h", "i", "n", "k", ">", "y"], false, "x", "y"],
    ["pre-opened template", ["plan", "</think>\n", "Answer"], true, "plan", "Answer"],
    ["close only, not configured", ["plan</think>Answer"], false, "plan", "Answer"],
    ["unterminated reasoning flushes as reasoning", ["<think>still thinking"], false, "still thinking", ""],
    ["less-than in text", ["a < b and <b>bold</b>"], false, "", "a < b and <b>bold</b>"],
    ["held partial tag at end flushes", ["<think>x</thi"], false, "x</thi", ""],
  ];
  for (const [name, chunks, pre, reasoning, text] of cases) {
    test(name, () => expect(run(chunks, pre)).toEqual({ reasoning, text }));
  }
  test("a pre-opened template's reasoning stays reasoning however </think> is chunked", () => {
    const sample = "The user wants ls.\nI will answer.</think>\n\nHere it is.";
    for (let i = 1; i < sample.length; i++)
      for (let j = i; j < sample.length; j++)
        expect(run([sample.slice(0, i), sample.slice(i, j), sample.slice(j)])).toEqual({ reasoning: "The user wants ls.\nI will answer.", text: "Here it is." });
  });
  test("content without any tag is the answer once the stream ends or settles", () => {
    const s = new ThinkSplitter();
    expect([...s.feed("Hello "), ...s.feed("world")]).toEqual([]); // undecided: held
    expect(s.settle()).toEqual([{ kind: "text", text: "Hello world" }]);
    expect(s.feed(" and </think> later")).toEqual([{ kind: "text", text: " and </think> later" }]);
  });
  test("a held answer containing a stop sequence is released as text", () => {
    const s = new ThinkSplitter(false, (held) => held.includes("STOP"));
    expect(s.feed("Answer STOP more")).toEqual([{ kind: "text", text: "Answer STOP more" }]);
  });
  test("the outcome says whether the content began inside a pre-opened <think> or was plainly the answer", () => {
    const pre = new ThinkSplitter();
    pre.feed("plan");
    pre.feed("</think>answer");
    expect(pre.outcome).toBe("preopened");
    const plain = new ThinkSplitter();
    plain.feed("just an answer");
    plain.flush();
    expect(plain.outcome).toBe("plain");
    const cut = new ThinkSplitter();
    cut.feed("Okay");
    expect(cut.flush(false)).toEqual([{ kind: "text", text: "Okay" }]);
    expect(cut.outcome).toBeNull(); // cut by max_tokens (a one-token probe): it proves nothing
    const tagged = new ThinkSplitter();
    tagged.feed("<think>x</think>y");
    expect(tagged.outcome).toBeNull(); // an explicit <think> says nothing about pre-opening
  });
  test("not holding (a model known to answer plainly): content is text at once", () => {
    const s = new ThinkSplitter(false, () => false, false);
    expect(s.feed("Hello")).toEqual([{ kind: "text", text: "Hello" }]);
  });
  test("every split point of a sample gives the same result", () => {
    const sample = "<think>a<b>c</think>\nHello </think-not";
    for (let i = 1; i < sample.length; i++) {
      expect(run([sample.slice(0, i), sample.slice(i)])).toEqual({ reasoning: "a<b>c", text: "Hello </think-not" });
    }
  });
});

// The translator skips feed() while passesText holds: feed must then give the chunk back as is.
describe("ThinkSplitter.passesText", () => {
  const samples = ["<think>plan</think>\n\nAnswer here.", "plan</think>Answer", "Hello world </think> x", "  <think>a</think>b\n<think>c", "<think></think>\n", "Answer STOP more"];
  for (const sample of samples)
    test(JSON.stringify(sample), () => {
      let passed = 0;
      for (const hold of [true, false])
        for (let i = 0; i <= sample.length; i++)
          for (let j = i; j <= sample.length; j += 3) {
            const s = new ThinkSplitter(false, (held) => held.includes("STOP"), hold);
            for (const chunk of [sample.slice(0, i), sample.slice(i, j), sample.slice(j), "tail", "</think>", "more"]) {
              if (!chunk) continue;
              const before = s.passesText;
              const out = s.feed(chunk);
              if (!before) continue;
              passed++;
              expect(out).toEqual([{ kind: "text", text: chunk }]);
              expect(s.passesText).toBe(true);
            }
            s.settle();
            if (s.passesText) expect(s.feed("x")).toEqual([{ kind: "text", text: "x" }]);
          }
      expect(passed).toBeGreaterThan(0);
    });
});
