// Anthropic Messages request → OpenAI Chat Completions request (protocol.md §6.1–6.4). Pure.
import type { ContentBlockParam, MessageParam, MessagesRequest } from "../protocol/anthropic.ts";
import type { ChatMessage, ChatRequest, ChatTool, ChatToolChoice, ContentPart } from "../protocol/openai.ts";
import { mistralToolId } from "./ids.ts";
import type { TranslateProfile } from "./profile.ts";
import { convertToolsCached } from "./request-tools.ts";
import { systemMessage } from "./system-message.ts";
import { toBackendToolName } from "./tool-names.ts";
import { assistantMessages } from "./assistant-message.ts";

export { chatRequestBytes, chatRequestJson, RecentMessages } from "./request-json.ts";

export { BILLING_HEADER_PREFIX } from "./system-message.ts";
const INTERRUPTED = "(tool call interrupted; no result)";

export interface TranslateOptions {
  /** The backend model chosen by routing. */
  model: string;
  profile: TranslateProfile;
}

export interface TranslatedRequest {
  request: ChatRequest;
  /** Lossy decisions worth a debug line (dropped prefill, removed server tools, ...). */
  notes: string[];
}

type Block = ContentBlockParam;
type ToolResultBlock = Extract<Block, { type: "tool_result" }>;

const blocksOf = (m: MessageParam): Block[] =>
  typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;

const textOf = (blocks: readonly Block[]): string =>
  blocks.flatMap((b) => (b.type === "text" ? [b.text] : [])).join("\n\n");

function imagePart(block: Extract<Block, { type: "image" }>, profile: TranslateProfile): ContentPart | string {
  const src = block.source;
  if (src.type === "base64") {
    if (!profile.imageTypes.includes(src.media_type)) return `[image omitted: ${src.media_type} not supported by backend]`;
    return { type: "image_url", image_url: { url: `data:${src.media_type};base64,${src.data}` } };
  }
  if (src.type === "url") return profile.imageUrls ? { type: "image_url", image_url: { url: src.url } } : `[image omitted: this backend cannot fetch ${src.url}]`;
  return "[image omitted: file references are not supported]";
}

function documentText(block: Record<string, unknown>): string {
  const source = block.source as Record<string, unknown> | undefined;
  const title = typeof block.title === "string" ? `${block.title}\n` : "";
  if (source?.type === "text" && typeof source.data === "string") return title + source.data;
  return `[document omitted: ${String(source?.type ?? "unknown")} source not supported]`;
}

/** Flattens a tool_result to text; images become placeholders and are returned separately (T4). */
function flattenToolResult(
  result: ToolResultBlock,
  imageCounter: { n: number },
  profile: TranslateProfile,
): { text: string; images: ContentPart[] } {
  if (result.content == null) return { text: "", images: [] };
  if (typeof result.content === "string") return { text: result.content, images: [] };
  const texts: string[] = [];
  const images: ContentPart[] = [];
  for (const part of result.content as Record<string, unknown>[]) {
    switch (part.type) {
      case "text":
        texts.push(String(part.text ?? ""));
        break;
      case "image": {
        const converted = imagePart(part as unknown as Extract<Block, { type: "image" }>, profile);
        if (typeof converted === "string") texts.push(converted);
        else {
          imageCounter.n += 1;
          texts.push(`[image #${imageCounter.n} attached below]`);
          images.push(converted);
        }
        break;
      }
      case "document":
        texts.push(documentText(part));
        break;
      case "search_result":
        texts.push([part.title, part.source, textOf((part.content as Block[]) ?? [])].filter(Boolean).map(String).join("\n"));
        break;
      case "tool_reference":
        texts.push(`Tool loaded: ${String(part.tool_name ?? "")}`);
        break;
      default:
        texts.push(`[${String(part.type)} omitted]`);
    }
  }
  return { text: texts.join("\n"), images };
}

const looksLikeError = (text: string) => /^\s*(error|<tool_use_error>)/i.test(text);

function userParts(blocks: readonly Block[], profile: TranslateProfile): ContentPart[] {
  const parts: ContentPart[] = [];
  for (const b of blocks) {
    if (b.type === "text") {
      if (b.text !== "") parts.push({ type: "text", text: b.text });
    } else if (b.type === "image") {
      const p = imagePart(b, profile);
      parts.push(typeof p === "string" ? { type: "text", text: p } : p);
    } else if (b.type === "document") {
      parts.push({ type: "text", text: documentText(b) });
    }
    // thinking/tool_use never appear in user turns; unknown kinds are dropped.
  }
  return parts;
}

/** A text-only part list collapses to a string: what every chat template handles. */
function collapse(parts: ContentPart[]): string | ContentPart[] {
  return parts.every((p) => p.type === "text") ? parts.map((p) => (p as { text: string }).text).join("\n\n") : parts;
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

/** Folds mid-conversation system messages into the user turn before them (after them if first), T19. */
function foldSystemMessages(messages: readonly MessageParam[]): MessageParam[] {
  const out: MessageParam[] = [];
  let carry: Block[] = [];
  for (const m of messages) {
    if (m.role === "system") {
      const text: Block[] = [{ type: "text", text: textOf(blocksOf(m)) }];
      // Appending to the previous user turn keeps the prompt prefix identical on later turns.
      const prev = out.findLastIndex((x) => x.role === "user");
      if (prev >= 0) out[prev] = { role: "user", content: [...blocksOf(out[prev]!), ...text] };
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
  const toolId = profile.mistralToolIds ? mistralToolId : (id: string) => id;
  const out: ChatMessage[] = [];

  const sys = systemMessage(req.system, profile.keepCacheControl === true);
  if (sys) out.push(sys);

  const assistantMessage = assistantMessages(profile);
  const imageCounter = { n: 0 };
  let openCalls: string[] = []; // tool_call ids of the latest assistant turn still awaiting results

  const closeOpenCalls = () => {
    for (const id of openCalls) out.push({ role: "tool", tool_call_id: id, content: INTERRUPTED });
    if (openCalls.length) notes.push(`synthesized ${openCalls.length} missing tool result(s)`);
    openCalls = [];
  };

  for (const msg of foldSystemMessages(req.messages)) {
    if (msg.role === "assistant") {
      closeOpenCalls();
      const m = assistantMessage(msg);
      out.push(m);
      openCalls = m.role === "assistant" ? (m.tool_calls ?? []).map((c) => c.id) : [];
      continue;
    }
    const blocks = blocksOf(msg);
    const results = blocks.filter((b): b is ToolResultBlock => b.type === "tool_result");
    const orphanTexts: string[] = [];
    const images: ContentPart[] = [];
    const answered = new Map<string, ChatMessage>();
    for (const r of results) {
      const id = toolId(r.tool_use_id);
      const { text, images: imgs } = flattenToolResult(r, imageCounter, profile);
      const body = r.is_error && !looksLikeError(text) ? `Error: ${text}` : text;
      if (!openCalls.includes(id)) {
        orphanTexts.push(`[tool result for ${r.tool_use_id}]: ${body}`);
        notes.push(`tool_result ${r.tool_use_id} has no matching tool_use; sent as user text`);
      } else answered.set(id, { role: "tool", tool_call_id: id, content: body || "(no output)" });
      images.push(...imgs);
    }
    if (results.length || openCalls.length) {
      // Tool messages follow the order of the assistant's calls, whatever order results came in (T3).
      for (const id of openCalls) out.push(answered.get(id) ?? { role: "tool", tool_call_id: id, content: INTERRUPTED });
      if (openCalls.some((id) => !answered.has(id))) notes.push("synthesized missing tool result(s)");
      openCalls = [];
    }
    const parts: ContentPart[] = [
      ...(images.length ? [{ type: "text" as const, text: "Images returned by tool calls:" }, ...images] : []),
      ...orphanTexts.map((text) => ({ type: "text" as const, text })),
      ...userParts(blocks, profile),
    ];
    if (parts.length) out.push({ role: "user", content: collapse(parts) });
  }

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
