// Assistant and user turns are translated once per remembered (frozen) turn, translation variant and
// context. A conversation read through the validator, turn after turn, translates to exactly what
// its unfrozen copy translates to (the path without the memo), for every profile variant the
// translation depends on; and a remembered turn's messages are the ones made before.
import { describe, expect, test } from "bun:test";
import type { MessageParam } from "../../src/protocol/anthropic.ts";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { deepFreeze } from "../../src/translate/deep-freeze.ts";
import { DEFAULT_PROFILE, type TranslateProfile } from "../../src/translate/profile.ts";
import { chatRequestBytes, RecentMessages, translateRequest } from "../../src/translate/request.ts";
import { loadFixture } from "../helpers/fixtures.ts";

const base = loadFixture("print-mode-bash-tool-result").body as Record<string, unknown> & { messages: unknown[] };
const id = (i: number) => `toolu_${String(i).padStart(24, "0")}`;
const turn = (i: number): unknown[] => [
  {
    role: "assistant",
    content: [
      { type: "thinking", thinking: `Think ${i}.`, signature: "sig" },
      { type: "text", text: `Step ${i}.` },
      { type: "tool_use", id: id(i), name: i % 3 ? "Bash" : "mcp__server.odd name", input: { command: `ls ${i}`, n: i } },
      ...(i % 4 === 1 ? [{ type: "tool_use", id: id(1000 + i), name: "Read", input: {} }] : []),
    ],
  },
  {
    role: "user",
    content: [
      // Images are numbered across the conversation; results may come out of order, be errors, or answer nothing.
      { type: "tool_result", tool_use_id: id(i), is_error: i % 6 === 3, content: i % 3 === 1 ? [{ type: "text", text: `out ${i}` }, image(i)] : `out ${i}` },
      ...(i % 4 === 1 && i % 8 !== 5 ? [{ type: "tool_result", tool_use_id: id(1000 + i), content: [image(i + 1), { type: "text", text: "read" }] }] : []),
      ...(i % 7 === 4 ? [{ type: "tool_result", tool_use_id: "toolu_unknown", content: "orphan" }] : []),
      ...(i % 5 === 0 ? [{ type: "text", text: `and also ${i}` }, image(i + 2)] : []),
    ],
  },
  ...(i % 5 === 2 ? [{ role: "assistant", content: `Plain text turn ${i}.` }, { role: "user", content: "go on" }, { role: "user", content: "and on" }] : []),
];
const image = (i: number) => ({ type: "image", source: { type: i % 2 ? "base64" : "url", media_type: i % 3 ? "image/png" : "image/bmp", data: `AAA${i}`, url: `https://x/${i}.png` } });

const profiles: [string, TranslateProfile][] = [
  ["the default profile", DEFAULT_PROFILE],
  ["reasoning_content", { ...DEFAULT_PROFILE, reasoningField: "reasoning_content" }],
  ["reasoning", { ...DEFAULT_PROFILE, reasoningField: "reasoning" }],
  ["Mistral tool ids", { ...DEFAULT_PROFILE, mistralToolIds: true }],
  ["image URLs fetched", { ...DEFAULT_PROFILE, imageUrls: true }],
  ["PNG only", { ...DEFAULT_PROFILE, imageTypes: ["image/png"] }],
];

describe("remembered turns translate as their unfrozen copies do", () => {
  test("a growing conversation, the profiles interleaved, one validator", () => {
    const validator = new RequestValidator();
    const recent = new RecentMessages();
    let messages: unknown[] = [base.messages[0]];
    for (let i = 0; i < 12; i++) {
      messages = [...messages, ...turn(i)];
      const body = JSON.stringify({ ...base, messages });
      for (const [, profile] of profiles) {
        const opts = { model: "m", profile };
        const read = validator.read(new TextEncoder().encode(body)).request;
        const memo = translateRequest(read, opts);
        const plain = translateRequest(structuredClone(read), opts);
        expect(memo).toEqual(plain);
        expect(new TextDecoder().decode(chatRequestBytes(memo.request, recent).bytes)).toBe(JSON.stringify(plain.request));
      }
    }
  });

  test("the same frozen user turn after other calls, or after other images, is translated again", () => {
    const request = new RequestValidator().read(new TextEncoder().encode(JSON.stringify(base))).request;
    const opts = { model: "m", profile: DEFAULT_PROFILE };
    const answer = deepFreeze({ role: "user", content: [{ type: "tool_result", tool_use_id: id(1), content: [image(1)] }] }) as MessageParam;
    const ask = (calls: string[]) => deepFreeze({ role: "assistant", content: calls.map((c) => ({ type: "tool_use", id: c, name: "Bash", input: {} })) }) as MessageParam;
    const shown = deepFreeze({ role: "user", content: [{ type: "tool_result", tool_use_id: id(9), content: [image(7)] }] }) as MessageParam;
    for (const messages of [
      [request.messages[0]!, ask([id(1)]), answer],
      [request.messages[0]!, ask([id(1), id(2)]), answer],
      [request.messages[0]!, ask([id(9)]), shown, ask([id(1)]), answer],
      [request.messages[0]!, ask([id(2)]), answer],
    ]) {
      const frozen = { ...request, messages };
      expect(translateRequest(frozen, opts)).toEqual(translateRequest(structuredClone(frozen), opts));
    }
  });

  test("a remembered turn's message is made once per variant, and frozen", () => {
    const validator = new RequestValidator();
    const body = new TextEncoder().encode(JSON.stringify({ ...base, messages: [base.messages[0], ...turn(1)] }));
    const first = validator.read(body).request;
    const again = validator.read(body.slice()).request;
    expect(again.messages[1]).toBe(first.messages[1]); // the validator's remembered turn
    const at = (r: typeof first, profile: TranslateProfile) => translateRequest(r, { model: "m", profile }).request.messages.find((m) => m.role === "assistant")!;
    expect(at(again, DEFAULT_PROFILE)).toBe(at(first, DEFAULT_PROFILE));
    expect(Object.isFrozen(at(first, DEFAULT_PROFILE))).toBe(true);
    const reasoning = { ...DEFAULT_PROFILE, reasoningField: "reasoning_content" as const };
    expect(at(first, reasoning)).not.toBe(at(first, DEFAULT_PROFILE));
    expect(at(first, reasoning).reasoning_content).toBe("Think 1.");
    expect(at(first, { ...DEFAULT_PROFILE, mistralToolIds: true }).tool_calls![0]!.id).toMatch(/^[A-Za-z0-9]{9}$/);
  });
});
