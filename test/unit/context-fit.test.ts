import { describe, expect, test } from "bun:test";
import * as v from "valibot";
import { fitToWindow as fitWith } from "../../src/context/fit.ts";
import { countRequest } from "../../src/context/request-tokens.ts";
import type { TextCounter } from "../../src/context/text-counter.ts";
import { type MessagesRequest, MessagesRequestSchema } from "../../src/protocol/anthropic.ts";

// One token per word keeps the arithmetic readable.
const count = (t: string) => (t.trim() ? t.trim().split(/\s+/).length : 0);
const words: TextCounter = { name: "words", count: async (texts) => ({ tokens: texts.map(count), by: "words" }) };
const fitToWindow = async (r: MessagesRequest, window: number, truncate: boolean) => fitWith(r, window, await countRequest(r, words), truncate);
const wordsOf = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");
const req = (messages: unknown[], over: Record<string, unknown> = {}): MessagesRequest =>
  v.parse(MessagesRequestSchema, { model: "m", max_tokens: 100_000, system: wordsOf(10), messages, ...over });

const toolRound = (id: string, n: number) => [
  { role: "assistant", content: [{ type: "tool_use", id, name: "Bash", input: { c: wordsOf(2) } }] },
  { role: "user", content: [{ type: "tool_result", tool_use_id: id, content: wordsOf(n) }] },
];

describe("fitToWindow", () => {
  test("fits: unchanged but max_tokens clamped to what the window leaves", async () => {
    const r = await fitToWindow(req([{ role: "user", content: wordsOf(100) }]), 8000, false);
    expect(r).toMatchObject({ ok: true, dropped: 0, warnAt: null });
    if (!r.ok) throw new Error();
    expect(r.promptTokens).toBe(10 + 4 + 100);
    expect(r.request.max_tokens).toBe(8000 - 114);
  });

  const warns: [number, number, number | null][] = [[5000, 8000, null], [6200, 8000, 75], [91_000, 100_000, 90]];
  for (const [n, window, want] of warns) {
    test(`warns at ${want ?? "nothing"} for ${n} of ${window}`, async () => {
      const r = await fitToWindow(req([{ role: "user", content: wordsOf(n - 14) }]), window, false);
      expect(r.ok && r.warnAt).toBe(want as never);
    });
  }

  test("too long without truncation: refused with the counts", async () => {
    expect(await fitToWindow(req([{ role: "user", content: wordsOf(9000) }]), 8000, false)).toEqual({ ok: false, promptTokens: 9014, window: 8000 });
  });

  test("truncation drops whole old turns, keeps the first user message and the current turn", async () => {
    const messages = [
      { role: "user", content: "the task" },
      { role: "system", content: "env info" },
      ...toolRound("t1", 3000),
      ...toolRound("t2", 3000),
      ...toolRound("t3", 1000),
    ];
    const r = await fitToWindow(req(messages), 8000, true);
    expect(r.ok).toBe(true);
    if (!r.ok) throw new Error();
    expect(r.dropped).toBe(2);
    const kept = r.request.messages;
    expect(kept[0]).toEqual(messages[0] as never);
    expect(kept[1]!.role).toBe("system");
    // Every tool_result still follows its tool_use.
    const ids = (m: (typeof kept)[number], type: string, key: string) => (Array.isArray(m.content) ? m.content.filter((b) => b.type === type).map((b) => (b as Record<string, unknown>)[key]) : []);
    for (let i = 0; i < kept.length; i++) for (const id of ids(kept[i]!, "tool_result", "tool_use_id")) expect(ids(kept[i - 1]!, "tool_use", "id")).toContain(id);
    expect(ids(kept.at(-1)!, "tool_result", "tool_use_id")).toEqual(["t3"]);
  });

  test("truncation that cannot make room: refused", async () => {
    const r = await fitToWindow(req([{ role: "user", content: wordsOf(9000) }, ...toolRound("t1", 10)]), 8000, true);
    expect(r.ok).toBe(false);
  });

  test("message token counts include images", async () => {
    const r = v.parse(MessagesRequestSchema, {
      model: "m", max_tokens: 1,
      messages: [{ role: "user", content: [{ type: "text", text: "a b" }, { type: "image", source: { type: "base64", media_type: "image/png", data: "x" } }] }],
    });
    expect((await countRequest(r, words)).perMessage).toEqual([4 + 2 + 765]);
  });
});
