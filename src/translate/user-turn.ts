// A user turn → its chat messages (protocol.md §6.1–6.3): the tool messages answering the previous
// assistant turn's calls, in the order of the calls, then the user's own content. Pure. Claude Code
// resends every earlier turn; the request validator hands those out deep-frozen, and a frozen turn's
// translation is made once per translation variant and context (the calls it answers, the images
// numbered before it) and handed out frozen: a long conversation's earlier turns are neither
// translated again nor compared deeply by RecentMessages (the same objects).
import type { ContentBlockParam, MessageParam } from "../protocol/anthropic.ts";
import type { ChatMessage, ContentPart } from "../protocol/openai.ts";
import { deepFreeze } from "./deep-freeze.ts";
import { mistralToolId } from "./ids.ts";
import type { TranslateProfile } from "./profile.ts";

export const INTERRUPTED = "(tool call interrupted; no result)";

/** What a user turn adds to the request. */
export interface UserTurn {
  messages: readonly ChatMessage[];
  /** Lossy decisions worth a debug line. */
  notes: readonly string[];
  /** Images numbered so far, this turn's included. */
  images: number;
}

/** A frozen turn's translations, each with the variant and context it was made in. */
interface Made {
  variant: string;
  openCalls: readonly string[];
  imagesBefore: number;
  turn: UserTurn;
}
const made = new WeakMap<object, Made[]>();

/** What of the profile a user turn's translation depends on (profiles are made per model, not kept). */
export const userVariant = (profile: TranslateProfile): string => JSON.stringify([profile.mistralToolIds, profile.imageUrls, profile.imageTypes]);

const sameCalls = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Translates user turns for one profile: given the tool call ids of the assistant turn before (its
 * calls still awaiting results) and how many images earlier turns numbered.
 */
export function userTurns(profile: TranslateProfile): (turn: MessageParam, openCalls: readonly string[], imagesBefore: number) => UserTurn {
  const variant = userVariant(profile);
  return (turn, openCalls, imagesBefore) => {
    if (!Object.isFrozen(turn)) return translate(turn, openCalls, imagesBefore, profile);
    // Compared, not keyed: a context is a few ids, cheaper to compare than to make a key of.
    const entries = made.get(turn) ?? [];
    const hit = entries.find((m) => m.imagesBefore === imagesBefore && m.variant === variant && sameCalls(m.openCalls, openCalls));
    if (hit) return hit.turn;
    const result = deepFreeze(translate(turn, openCalls, imagesBefore, profile));
    if (entries.length >= 4) entries.shift(); // a turn is met in one context in practice: its prefix is the same
    entries.push({ variant, openCalls: [...openCalls], imagesBefore, turn: result });
    made.set(turn, entries);
    return result;
  };
}

function translate(msg: MessageParam, openCalls: readonly string[], imagesBefore: number, profile: TranslateProfile): UserTurn {
  const toolId = profile.mistralToolIds ? mistralToolId : (id: string) => id;
  const out: ChatMessage[] = [];
  const notes: string[] = [];
  const imageCounter = { n: imagesBefore };
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
  }
  const parts: ContentPart[] = [
    ...(images.length ? [{ type: "text" as const, text: "Images returned by tool calls:" }, ...images] : []),
    ...orphanTexts.map((text) => ({ type: "text" as const, text })),
    ...userParts(blocks, profile),
  ];
  if (parts.length) out.push({ role: "user", content: collapse(parts) });
  return { messages: out, notes, images: imageCounter.n };
}

type Block = ContentBlockParam;
type ToolResultBlock = Extract<Block, { type: "tool_result" }>;

export const blocksOf = (m: MessageParam): Block[] =>
  typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;

export const textOf = (blocks: readonly Block[]): string =>
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

