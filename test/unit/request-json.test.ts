// The upstream body with recent messages' JSON reused is JSON.stringify's, byte for byte, after any
// sequence of requests: a message written again only when it differs, in anything JSON writes.
import { describe, expect, test } from "bun:test";
import type { ChatMessage, ChatRequest } from "../../src/protocol/openai.ts";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { DEFAULT_PROFILE } from "../../src/translate/profile.ts";
import { chatRequestBytes, RecentMessages, translateRequest } from "../../src/translate/request.ts";
import { loadFixture } from "../helpers/fixtures.ts";

const request = (messages: unknown[]): ChatRequest => ({ model: "m", messages: messages as ChatMessage[], max_tokens: 5, stream: true });
const system = { role: "system", content: "Be brief." };
const user = (text: string) => ({ role: "user", content: text });
const said = (text: string, extra: object = {}) => ({ role: "assistant", content: text, ...extra });
const turn = [system, user("hi"), said("hello"), user("list files")];

describe("RecentMessages: after each request in a sequence, the JSON is JSON.stringify's", () => {
  const sequences: [string, unknown[][]][] = [
    ["the same conversation again", [turn, turn]],
    ["growing by a turn", [turn, [...turn, said("a.txt"), user("thanks")]]],
    ["the last message changed in one letter", [turn, [...turn.slice(0, 3), user("list fileS")]]],
    ["the first message changed", [turn, [{ ...system, content: "Be Brief." }, ...turn.slice(1)]]],
    ["a key moved in a middle message", [turn, [system, user("hi"), { content: "hello", role: "assistant" }, user("list files")]]],
    ["a field added to a middle message", [turn, [system, user("hi"), said("hello", { reasoning_content: "r" }), user("list files")]]],
    ["a field set to undefined (left out) vs absent", [[...turn.slice(0, 2), said("hello", { tool_calls: undefined })], turn.slice(0, 3)]],
    ["a number as a string", [[system, { role: "tool", tool_call_id: "1", content: "1" }], [system, { role: "tool", tool_call_id: 1, content: "1" }]]],
    ["NaN, -0 and nested arrays", [[system, { role: "user", content: [{ type: "text", text: "x", n: Number.NaN, z: -0 }] }], [system, { role: "user", content: [{ type: "text", text: "x", n: Number.NaN, z: 0 }] }]]],
    ["shorter", [turn, turn.slice(0, 2)]],
    ["a hole JSON writes as null", [turn, [system, undefined, user("x")]]],
    ["empty", [turn, [], turn]],
    ["two conversations alternating", [turn, [system, user("title?")], [...turn, said("x")], [system, user("title?"), said("T")]]],
    ["five conversations, more than are kept", [1, 2, 3, 4, 5, 1].map((i) => [system, user(`c${i}`), said(`${i}`)])],
  ];
  for (const [name, seq] of sequences)
    test(`as bytes: ${name}`, () => {
      const recent = new RecentMessages();
      for (const messages of seq) {
        const r = request(structuredClone(messages));
        expect(chatRequestBytes(r, recent)).toEqual(utf8Of(r));
      }
    });

  for (const [name, seq] of sequences)
    test(`as bytes in a reused buffer: ${name}`, () => {
      const recent = new RecentMessages(4, true);
      for (const messages of seq) {
        const r = request(structuredClone(messages));
        const body = chatRequestBytes(r, recent);
        expect(body).toEqual(utf8Of(r));
        recent.release(body.bytes);
      }
    });

  test("in a reused buffer: a body not yet released is not written over, and a model changed moves the run", () => {
    const recent = new RecentMessages(4, true);
    const bodies: [ChatRequest, Uint8Array][] = [];
    const send = (r: ChatRequest, release = true) => {
      const body = chatRequestBytes(r, recent);
      expect(body).toEqual(utf8Of(r));
      bodies.push([r, body.bytes]);
      if (release) recent.release(body.bytes);
    };
    send(request(turn));
    send(request([...turn, said("a")]), false); // held: the next ones cannot use its buffer
    send(request([...turn, said("a"), user("b")]));
    send(request([system, user("title?")]));
    expect(bodies[1]![1]).toEqual(utf8Of(bodies[1]![0]).bytes);
    recent.release(bodies[1]![1]);
    send(request([...turn, said("a"), user("b"), said("c")]));
    send({ ...request([...turn, said("a"), user("b"), said("c"), user("d")]), model: "a longer model name" });
    send(request([...turn, said("a"), user("b"), said("c"), user("d"), said("e")]));
    send(request([system, user("title?"), said("T")]));
    send(request([...turn, said("a"), user("b"), said("c"), user("d"), said("e"), user("f")]));
  });

  test("as bytes, the captured turns (a system prompt beyond Latin-1), with remembered tools, system and messages", () => {
    const validator = new RequestValidator();
    const recent = new RecentMessages();
    const opts = { model: "m", profile: DEFAULT_PROFILE };
    for (const name of ["print-mode-hello", "print-mode-hello", "print-mode-bash-tool-result", "interactive-hello", "print-mode-bash-tool-result", "print-mode-hello"]) {
      const { request: chat } = translateRequest(validator.read(new TextEncoder().encode(JSON.stringify(loadFixture(name).body))).request, opts);
      expect(chatRequestBytes(chat, recent)).toEqual(utf8Of(chat));
    }
  });

  test("as bytes, without tools or recent messages, and with characters of every width", () => {
    for (const text of ["", "plain", "café", "→ ∑", "emoji 😀 pair", "lone \ud800 escaped", "\u0000 control"]) {
      const r = { ...request([user(text)]), tools: Object.freeze([]) } as unknown as ChatRequest;
      expect(chatRequestBytes(request([user(text)]))).toEqual(utf8Of(request([user(text)])));
      expect(chatRequestBytes(r, new RecentMessages())).toEqual(utf8Of(r));
    }
  });
});

/** What fetch would send for JSON.stringify(r), and its length as text. */
function utf8Of(r: ChatRequest) {
  const json = JSON.stringify(r);
  return { bytes: new TextEncoder().encode(json), chars: json.length };
}
