// A resent conversation's translation resumes after the first messages that are the same frozen
// objects as in a conversation translated recently (chat-messages.ts). Table test against the slow
// path: conversations read through the validator turn after turn, grown, rewound and branched, the
// profiles interleaved, translate through one RecentConversations exactly as their unfrozen copies
// translate without it (messages, notes, upstream JSON).
import { describe, expect, test } from "bun:test";
import type { MessageParam, MessagesRequest } from "../../src/protocol/anthropic.ts";
import { RequestValidator } from "../../src/server/request-validator.ts";
import { deepFreeze } from "../../src/translate/deep-freeze.ts";
import { DEFAULT_PROFILE, type TranslateProfile } from "../../src/translate/profile.ts";
import { RecentConversations, translateRequest } from "../../src/translate/request.ts";
import { loadFixture } from "../helpers/fixtures.ts";

const base = loadFixture("print-mode-bash-tool-result").body as Record<string, unknown> & { messages: unknown[] };
const id = (i: number) => `toolu_${String(i).padStart(24, "0")}`;
const image = (i: number) => ({ type: "image", source: { type: i % 2 ? "base64" : "url", media_type: "image/png", data: `AAA${i}`, url: `https://x/${i}.png` } });
/** Turn i: tool calls answered, partly answered, out of order, with images; an interrupted call; system reminders; plain turns. */
const turn = (i: number): unknown[] => [
  { role: "assistant", content: [{ type: "thinking", thinking: `Think ${i}.`, signature: "s" }, { type: "tool_use", id: id(i), name: "Bash", input: { n: i } }, ...(i % 3 === 1 ? [{ type: "tool_use", id: id(500 + i), name: "Read", input: {} }] : [])] },
  ...(i % 7 === 5 ? [{ role: "assistant", content: `Interrupted ${i}.` }] : []), // the calls before close unanswered
  {
    role: "user",
    content: [
      ...(i % 3 === 1 && i % 2 ? [{ type: "tool_result", tool_use_id: id(500 + i), content: [image(i)] }] : []),
      { type: "tool_result", tool_use_id: i % 7 === 5 ? "toolu_gone" : id(i), is_error: i % 4 === 3, content: i % 2 ? [{ type: "text", text: `out ${i}` }, image(i + 1)] : `out ${i}` },
    ],
  },
  ...(i % 4 === 2 ? [{ role: "system", content: `Reminder ${i}.` }] : []), // folded into the user turn before
  ...(i % 5 === 4 ? [{ role: "user", content: "go on" }] : []),
];
/** Claude Code marks the newest message's last block for caching: the message before changes each turn. */
const cached = (messages: unknown[]): unknown[] => {
  const last = messages.at(-1) as { content: unknown };
  if (!Array.isArray(last.content)) return messages;
  const content = [...last.content];
  content.push({ ...content.pop(), cache_control: { type: "ephemeral" } });
  return [...messages.slice(0, -1), { ...last, content }];
};
const history = (n: number, branch = ""): unknown[] =>
  cached([
    base.messages[0],
    base.messages[1], // Claude Code's system-role reminder after the prompt
    ...Array.from({ length: n }, (_, i) => turn(i)).flat(),
    ...(branch ? [{ role: "assistant", content: branch }] : []), // a trailing prefill on a branch
  ]);

const profiles: TranslateProfile[] = [
  DEFAULT_PROFILE,
  { ...DEFAULT_PROFILE, reasoningField: "reasoning_content" },
  { ...DEFAULT_PROFILE, mistralToolIds: true },
  { ...DEFAULT_PROFILE, imageUrls: true },
  { ...DEFAULT_PROFILE, imageTypes: [] },
];

const read = (validator: RequestValidator, messages: unknown[]): MessagesRequest => validator.read(new TextEncoder().encode(JSON.stringify({ ...base, messages }))).request;

describe("a resent conversation translates as its unfrozen copy does", () => {
  test("grown turn by turn, rewound, branched, side requests between, the profiles interleaved", () => {
    const validator = new RequestValidator();
    const recent = new RecentConversations(8); // five variants and a side request
    const sequence: unknown[][] = [];
    for (let n = 0; n < 16; n++) sequence.push(history(n));
    sequence.push(history(6), history(9, "branch"), history(12), [{ role: "user", content: "side request" }], history(13), history(3, "b"), history(16));
    for (const messages of sequence) {
      for (const profile of profiles) {
        const req = read(validator, messages);
        const memo = translateRequest(req, { model: "m", profile, recent });
        const plain = translateRequest(structuredClone(req), { model: "m", profile });
        expect(memo).toEqual(plain);
        expect(JSON.stringify(memo.request)).toBe(JSON.stringify(plain.request));
      }
    }
  });

  test("only frozen messages are taken as unchanged: the same unfrozen object, changed, is translated again", () => {
    const recent = new RecentConversations();
    const req = structuredClone(read(new RequestValidator(), [base.messages[0], ...turn(0), ...turn(1)]));
    const opts = { model: "m", profile: DEFAULT_PROFILE, recent };
    translateRequest(req, opts);
    (req.messages[1] as { content: unknown }).content = "changed";
    expect(translateRequest(req, opts)).toEqual(translateRequest(structuredClone(req), { model: "m", profile: DEFAULT_PROFILE }));
  });

  test("a frozen system message folded into a frozen user turn is the same object when resent", () => {
    const validator = new RequestValidator();
    const first = read(validator, history(2));
    const again = read(validator, history(3));
    expect(again.messages[1]).toBe(first.messages[1]);
    const user = (r: MessagesRequest) => translateRequest(r, { model: "m", profile: DEFAULT_PROFILE }).request.messages.find((m) => m.role === "user")!;
    expect(user(again)).toBe(user(first));
    const frozen = deepFreeze({ role: "user", content: "hi" }) as MessageParam;
    expect(translateRequest({ ...first, messages: [frozen, { role: "system", content: "x" } as MessageParam] }, { model: "m", profile: DEFAULT_PROFILE }).request.messages.at(-1)!.content).toBe("hi\n\nx");
  });
});
