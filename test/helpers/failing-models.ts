// More scripted models for `test-model`: the ways real local models fail with Claude Code, one
// model per failure. Each starts from the good model and decides from the request it sees (which
// probe's prompt, which tool results came back), as scripted-models.ts does.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChatMessage, ChatRequest } from "../../src/protocol/openai.ts";
import { chunk, DONE, finish, sse, text, textReply, toolStart, usageChunk } from "./chunks.ts";
import { ROOT } from "./processes.ts";
import { scriptedModel } from "./scripted-models.ts";
import type { Reply } from "./upstream.ts";

const flat = (c: ChatMessage["content"]) => (typeof c === "string" ? c : c.map((p) => ("text" in p ? String(p.text) : "")).join("\n"));
const all = (req: ChatRequest) => req.messages.map((m) => flat(m.content)).join("\n");
const lastIsTool = (req: ChatRequest) => req.messages.at(-1)!.role === "tool";

const NOTES = "/home/user/project/notes.md";
const PACKAGE = "/home/user/project/package.json";
const role = chunk({ role: "assistant", content: "" });
// Answers in text report a full prompt's worth of tokens, so the speed lines stay those of a fast server.
const textAnswer = (s: string) => textReply(s, [20000, 40]);
let callId = 0;
const toolReply = (name: string, args: object): Reply =>
  sse(role, toolStart(0, `call_f${++callId}`, name, JSON.stringify(args)), finish("tool_calls"), usageChunk(1000, 40), DONE);

/** Tool-call syntax as each family's chat template writes it, left as text by a server without its parser. */
export const MARKUP = {
  // NousResearch Hermes / Qwen2.5 chat templates.
  hermes: (name: string, args: object) => `<tool_call>\n${JSON.stringify({ name, arguments: args })}\n</tool_call>`,
  // Llama 3.1 model card: built-in tools after <|python_tag|>, JSON calls with "parameters".
  llama31: (name: string, args: object) => `<|python_tag|>${JSON.stringify({ name, parameters: args })}`,
  // Mistral tokenizer v3+: [TOOL_CALLS] then a JSON array.
  mistral: (name: string, args: object) => `[TOOL_CALLS]${JSON.stringify([{ name, arguments: args }])}`,
  fenced: (name: string, args: object) => `\`\`\`json\n${JSON.stringify({ name, arguments: args }, null, 2)}\n\`\`\``,
  // Llama 3.1/3.2 custom-tool format (as functionary and vLLM's llama parser document it).
  functionary: (name: string, args: object) => `<function=${name}>${JSON.stringify(args)}</function>`,
  // Kimi K2's chat template (vLLM kimi_k2 tool parser tokens).
  kimi: (name: string, args: object) =>
    `<|tool_calls_section_begin|><|tool_call_begin|>functions.${name}:0<|tool_call_argument_begin|>${JSON.stringify(args)}<|tool_call_end|><|tool_calls_section_end|>`,
};
export type MarkupFamily = keyof typeof MARKUP;

/** A fixture body from test/fixtures/wire: a real server's context-overflow answer. */
function overflowReply(fixture: string): Reply {
  const f = JSON.parse(readFileSync(join(ROOT, "test/fixtures/wire", fixture), "utf8")) as { responses: { status: number; body: string[] }[] };
  const r = f.responses[0]!;
  return { kind: "text", status: r.status, body: r.body.join(""), headers: { "content-type": "application/json" } };
}

export type FailingKind =
  | "prose"
  | `markup-${MarkupFamily}`
  | "unknown-tool"
  | "wrong-case"
  | "missing-key"
  | "extra-key"
  | "wrong-type"
  | "loop"
  | "serial"
  | "think-inline"
  | "think-preopened"
  | "overflow-llamacpp"
  | "overflow-vllm"
  | "hang"
  | "http500";

type Override = (req: ChatRequest) => Reply | null;
const asksNotes = (req: ChatRequest) => all(req).includes(`Show me what is in ${NOTES}`) && !lastIsTool(req);
const full = (req: ChatRequest) => (req.tools?.length ?? 0) > 4;

const OVERRIDES: Record<FailingKind, Override> = {
  prose: (req) => {
    const t = all(req);
    if (t.includes("change the greeting")) return textAnswer("I would replace `Hello` with `Welcome` in greet.ts.");
    if (lastIsTool(req)) return null;
    if (t.includes("Show me what is in") || t.includes("They are independent")) return textAnswer("I would run `cat notes.md` to see what is in it.");
    return null;
  },
  ...(Object.fromEntries(
    Object.entries(MARKUP).map(([family, write]) => [
      `markup-${family}`,
      (req: ChatRequest) => (asksNotes(req) ? textAnswer(write("Read", { file_path: NOTES })) : null),
    ]),
  ) as Record<`markup-${MarkupFamily}`, Override>),
  "unknown-tool": (req) => (asksNotes(req) ? toolReply("read_file", { path: NOTES }) : null),
  "wrong-case": (req) => (asksNotes(req) ? toolReply("read", { file_path: NOTES }) : null),
  "missing-key": (req) => (asksNotes(req) ? toolReply("Read", { limit: 200 }) : null),
  "extra-key": (req) => (asksNotes(req) ? toolReply("Read", { file_path: NOTES, encoding: "utf-8" }) : null),
  "wrong-type": (req) => (asksNotes(req) ? toolReply("Bash", { command: `cat ${NOTES}`, timeout: "60000" }) : null),
  // The same Read again after its result came back, instead of answering from it.
  loop: (req) => (all(req).includes("Which version does") && lastIsTool(req) ? toolReply("Read", { file_path: PACKAGE }) : null),
  serial: (req) => (all(req).includes("They are independent") && !lastIsTool(req) ? toolReply("Read", { file_path: PACKAGE }) : null),
  "think-inline": (req) =>
    all(req).includes("17 × 23") ? sse(role, text("<think>17 × 20 = 340, 17 × 3 = 51, so 391.</think>"), text("391"), finish("stop"), usageChunk(900, 20), DONE) : null,
  // Templates that open <think> in the prompt (Qwen3, DeepSeek-R1): the answer starts inside it.
  "think-preopened": (req) =>
    all(req).includes("17 × 23") ? sse(role, text("17 × 20 = 340, 17 × 3 = 51, so 391.\n</think>\n\n"), text("391"), finish("stop"), usageChunk(900, 20), DONE) : null,
  "overflow-llamacpp": (req) => (full(req) ? overflowReply("llamacpp/overflow-http.json") : null),
  "overflow-vllm": (req) => (full(req) ? overflowReply("vllm/overflow-current.json") : null),
  hang: (req) => (req.tools?.length ? { kind: "sse", frames: [], stall: true } : null),
  http500: () => ({ kind: "json", status: 500, body: { error: { message: "Internal server error", type: "server_error" } } }),
};

export function failingModel(kind: FailingKind): (req: ChatRequest) => Reply {
  const good = scriptedModel("good");
  return (req) => {
    // Servers' own APIs (Ollama's POST /api/show…) are not chat requests: unknown here.
    if (!Array.isArray(req.messages)) return { kind: "json", status: 404, body: { error: { message: "not found" } } };
    return OVERRIDES[kind](req) ?? good(req);
  };
}
