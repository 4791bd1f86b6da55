// Anthropic Messages request → OpenAI Chat Completions request (protocol.md §6.1–6.4). Pure.
import type { ContentBlockParam, MessageParam, MessagesRequest } from "../protocol/anthropic.ts";
import type { ChatMessage, ChatRequest, ChatTool, ChatToolChoice, ContentPart } from "../protocol/openai.ts";
import type { TranslateProfile } from "./profile.ts";
import { convertToolsCached } from "./request-tools.ts";
import { systemMessage } from "./system-message.ts";
import { toBackendToolName } from "./tool-names.ts";
import { chatMessages, type RecentConversations } from "./chat-messages.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { FrozenMemo } from "./frozen-memo.ts";
import { blocksOf, textOf } from "./user-turn.ts";

type Block = ContentBlockParam;

export { chatRequestBytes, RecentMessages } from "./request-json.ts";
export { RecentConversations } from "./chat-messages.ts";

export { BILLING_HEADER_PREFIX } from "./system-message.ts";

export interface TranslateOptions {
  /** The backend model chosen by routing. */
  model: string;
  profile: TranslateProfile;
  /** Conversations translated recently: a resent conversation's earlier messages are not translated again. */
  recent?: RecentConversations;
}

export interface TranslatedRequest {
  request: ChatRequest;
  /** Lossy decisions worth a debug line (dropped prefill, removed server tools, ...). */
  notes: string[];
}

function appendContent(a: string | ContentPart[], b: string | ContentPart[]): string | ContentPart[] {
  if (typeof a === "string" && typeof b === "string") return a === "" ? b : b === "" ? a : `${a}\n\n${b}`;
  const toParts = (x: string | ContentPart[]): ContentPart[] => (typeof x === "string" ? (x ? [{ type: "text", text: x }] : []) : x);
  return [...toParts(a), ...toParts(b)];
}

const EFFORTS = ["low", "medium", "high"];
function effortOf(req: MessagesRequest): string | undefined {
  const t = req.thinking;
  if (!t || t.type === "disabled") return undefined;
  if (t.type === "enabled") return t.budget_tokens <= 1024 ? "low" : t.budget_tokens <= 8192 ? "medium" : "high";
  const e = req.output_config?.effort ?? "medium";
  return EFFORTS.includes(e) ? e : e === "minimal" ? "low" : "high";
}

function thinkingParams(req: MessagesRequest, profile: TranslateProfile): Partial<ChatRequest> {
  const t = req.thinking;
  if (!t) return {};
  const effort = effortOf(req);
  switch (profile.thinkingStyle) {
    case "reasoning_effort":
      return effort ? { reasoning_effort: effort } : {};
    case "openrouter":
      if (t.type === "disabled") return { reasoning: { enabled: false } };
      return t.type === "enabled" ? { reasoning: { max_tokens: t.budget_tokens } } : { reasoning: { effort } };
    case "template_kwargs":
      return { chat_template_kwargs: { enable_thinking: t.type !== "disabled" } };
  }
}

function toolChoice(req: MessagesRequest, profile: TranslateProfile): ChatToolChoice | undefined {
  const c = req.tool_choice;
  if (!c) return undefined;
  if (c.type === "none") return "none";
  if (!profile.toolChoice) return undefined;
  if (c.type === "any") return "required";
  if (c.type === "tool") return { type: "function", function: { name: toBackendToolName(c.name) } };
  return "auto";
}

/** A frozen user turn with a frozen system message appended, made once: resent, it is the same object (chat-messages.ts). */
const foldedTurns = new FrozenMemo<MessageParam>();
const appendSystem = (turn: MessageParam, system: MessageParam, text: Block[]): MessageParam => {
  const fold = () => ({ role: "user" as const, content: [...blocksOf(turn), ...text] });
  return Object.isFrozen(turn) && Object.isFrozen(system) ? foldedTurns.get(turn, system, () => deepFreeze(fold())) : fold();
};

/** Folds mid-conversation system messages into the user turn before them (after them if first), T19. */
function foldSystemMessages(messages: readonly MessageParam[]): MessageParam[] {
  const out: MessageParam[] = [];
  let carry: Block[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      const text: Block[] = [{ type: "text", text: textOf(blocksOf(m)) }];
      // Appending to the previous user turn keeps the prompt prefix identical on later turns.
      const prev = out.findLastIndex((x) => x.role === "user");
      if (prev >= 0) out[prev] = appendSystem(out[prev]!, m, text);
      else carry.push(...text);
      continue;
    }
    if (m.role === "user" && carry.length) {
      out.push({ role: "user", content: [...carry, ...blocksOf(m)] });
      carry = [];
    } else out.push(m);
  }
  if (carry.length) out.push({ role: "user", content: carry });
  return out;
}

export function translateRequest(req: MessagesRequest, opts: TranslateOptions): TranslatedRequest {
  const { profile } = opts;
  const notes: string[] = [];
  const out: ChatMessage[] = [];

  const sys = systemMessage(req.system, profile.keepCacheControl === true);
  if (sys) out.push(sys);

  const translated = chatMessages(foldSystemMessages(req.messages), profile, opts.recent);
  out.push(...translated.out);
  notes.push(...translated.notes);

  // A trailing assistant turn is a prefill most servers cannot continue (T8).
  const last = out.at(-1);
  if (last?.role === "assistant") {
    out.pop();
    notes.push(last.tool_calls ? "dropped trailing assistant tool call without results" : "dropped trailing assistant prefill");
  }

  const merged = mergeSameRole(out);
  const tools = req.tools?.length ? convertToolsCached(req.tools, profile, notes) : [];
  const stream = req.stream === true;
  const request: ChatRequest = {
    model: opts.model,
    messages: merged,
    max_tokens: Math.max(1, req.max_tokens),
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
    ...(req.temperature != null ? { temperature: req.temperature } : {}),
    ...(req.top_p != null ? { top_p: req.top_p } : {}),
    ...(req.top_k != null ? { top_k: req.top_k } : {}),
    // Stop sequences are matched by the proxy (T9): upstream "stop" cannot say which one matched.
    ...thinkingParams(req, profile),
  };
  if (tools.length) {
    request.tools = tools as ChatTool[];
    const choice = toolChoice(req, profile);
    if (choice) request.tool_choice = choice;
    const disable = req.tool_choice && "disable_parallel_tool_use" in req.tool_choice && req.tool_choice.disable_parallel_tool_use;
    if (disable) request.parallel_tool_calls = false;
    else if (profile.explicitParallelToolCalls) request.parallel_tool_calls = true;
  }
  const format = req.output_config?.format as { type?: string; schema?: unknown } | undefined;
  if (format?.type === "json_schema") request.response_format = { type: "json_schema", json_schema: { name: "output", schema: format.schema } };
  return { request, notes };
}

/** Templates like Mistral/Gemma require alternating roles (T19). Tool messages are never merged. */
function mergeSameRole(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const prev = out.at(-1);
    if (prev?.role === "user" && m.role === "user") {
      out[out.length - 1] = { role: "user", content: appendContent(prev.content, m.content) };
    } else if (prev?.role === "assistant" && m.role === "assistant" && !prev.tool_calls) {
      const calls = m.tool_calls;
      out[out.length - 1] = { ...prev, ...m, content: prev.content + m.content, ...(calls ? { tool_calls: calls } : {}) };
    } else out.push(m);
  }
  return out;
}
