// The one token count of a request, with its breakdown: the context check (fit.ts),
// count_tokens and `trace analyze` all read it, so they agree exactly.
import type { ContentBlockParam, MessagesRequest } from "../protocol/anthropic.ts";
import type { TextCounter } from "./text-counter.ts";

/** Tokens an image costs in most vision encoders, roughly (a 512×512 tile set). */
export const IMAGE_TOKENS = 765;
/** Chat templates add role markers around every message. */
export const MESSAGE_OVERHEAD = 4;

type Category = "user" | "assistant" | "system" | "toolUses" | "toolResults" | "thinking";

export interface RequestTokens {
  total: number;
  /** The counter that counted (its name). */
  counter: string;
  system: number;
  /** Each tool definition, in request order. */
  tools: { name: string; tokens: number }[];
  /** Each message, framing included, in request order (what truncation drops). */
  perMessage: number[];
  /** Message text by role. */
  messages: { user: number; assistant: number; system: number };
  toolUses: number;
  toolResults: number;
  thinking: number;
  images: { count: number; tokens: number };
  /** Role markers: MESSAGE_OVERHEAD per message. */
  framing: number;
}

/** Where a counted text goes. */
type Sink = { to: "system" } | { to: "tool"; index: number } | { to: "message"; index: number; category: Category };

function blockTexts(block: ContentBlockParam, role: "user" | "assistant" | "system", add: (text: string, category: Category) => void, image: () => void): void {
  switch (block.type) {
    case "text":
      return add(block.text, role);
    case "thinking":
      return add(block.thinking, "thinking");
    case "tool_use":
      add(block.name, "toolUses");
      return add(JSON.stringify(block.input), "toolUses");
    case "tool_result":
      if (typeof block.content === "string") return add(block.content, "toolResults");
      for (const p of block.content ?? []) p.type === "image" ? image() : add(String(p.text ?? ""), "toolResults");
      return;
    case "image":
      return image();
  }
}

export async function countRequest(req: MessagesRequest, counter: TextCounter): Promise<RequestTokens> {
  const texts: string[] = [];
  const sinks: Sink[] = [];
  const tokens: RequestTokens = {
    total: 0,
    counter: counter.name,
    system: 0,
    tools: (req.tools ?? []).map((t) => ({ name: t.name, tokens: 0 })),
    perMessage: req.messages.map(() => MESSAGE_OVERHEAD),
    messages: { user: 0, assistant: 0, system: 0 },
    toolUses: 0,
    toolResults: 0,
    thinking: 0,
    images: { count: 0, tokens: 0 },
    framing: MESSAGE_OVERHEAD * req.messages.length,
  };
  // The system blocks reach the model as one text, joined as the translation joins them.
  const system = typeof req.system === "string" ? req.system : (req.system ?? []).map((b) => b.text).join("\n\n");
  if (system) {
    texts.push(system);
    sinks.push({ to: "system" });
  }
  (req.tools ?? []).forEach((t, index) => {
    texts.push(JSON.stringify(t));
    sinks.push({ to: "tool", index });
  });
  req.messages.forEach((m, index) => {
    const blocks: ContentBlockParam[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
    const add = (text: string, category: Category) => {
      texts.push(text);
      sinks.push({ to: "message", index, category });
    };
    const image = () => {
      tokens.images.count++;
      tokens.images.tokens += IMAGE_TOKENS;
      tokens.perMessage[index]! += IMAGE_TOKENS;
    };
    for (const block of blocks) blockTexts(block, m.role, add, image);
  });

  const counted = await counter.count(texts);
  tokens.counter = counted.by;
  counted.tokens.forEach((n, i) => {
    const sink = sinks[i]!;
    if (sink.to === "system") tokens.system += n;
    else if (sink.to === "tool") tokens.tools[sink.index]!.tokens += n;
    else {
      tokens.perMessage[sink.index]! += n;
      const c = sink.category;
      if (c === "user" || c === "assistant" || c === "system") tokens.messages[c] += n;
      else tokens[c] += n;
    }
  });
  tokens.total = fixedTokens(tokens) + tokens.perMessage.reduce((a, b) => a + b, 0);
  return tokens;
}

/** What no truncation can remove: the system prompt and the tool definitions. */
export function fixedTokens(t: RequestTokens): number {
  return t.system + t.tools.reduce((n, tool) => n + tool.tokens, 0);
}
