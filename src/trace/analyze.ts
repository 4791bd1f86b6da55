// Where the tokens of a request go: system prompt, each tool, messages by role, tool results,
// images, and how much of it is identical to the previous request of the session (what a prefix
// cache can reuse). Pure: the token counter is handed in.
import type { ContentBlockParam, MessagesRequest } from "../protocol/anthropic.ts";

export type Count = (text: string) => number;

export interface Breakdown {
  total: number;
  system: number;
  tools: { name: string; tokens: number }[];
  messages: { user: number; assistant: number; system: number };
  toolUses: number;
  toolResults: number;
  thinking: number;
  images: { count: number; tokens: number };
  /** Tokens identical to the previous request of the same session, when there is one. */
  stablePrefix?: { tokens: number; ofPrevious: number };
}

const IMAGE_TOKENS = 765;

export function systemText(req: MessagesRequest): string {
  return typeof req.system === "string" ? req.system : (req.system ?? []).map((b) => b.text).join("\n\n");
}

/** The request as one string in prompt order, for prefix comparison. */
export function linearize(req: MessagesRequest): string {
  return [systemText(req), JSON.stringify(req.tools ?? []), ...req.messages.map((m) => `${m.role}:${JSON.stringify(m.content)}`)].join("\n");
}

export function analyzeRequest(req: MessagesRequest, count: Count, previous?: MessagesRequest): Breakdown {
  const b: Breakdown = {
    total: 0,
    system: count(systemText(req)),
    tools: (req.tools ?? []).map((t) => ({ name: t.name, tokens: count(JSON.stringify(t)) })).sort((x, y) => y.tokens - x.tokens),
    messages: { user: 0, assistant: 0, system: 0 },
    toolUses: 0,
    toolResults: 0,
    thinking: 0,
    images: { count: 0, tokens: 0 },
  };
  const image = () => {
    b.images.count++;
    b.images.tokens += IMAGE_TOKENS;
  };
  for (const m of req.messages) {
    const blocks: ContentBlockParam[] = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
    for (const block of blocks) {
      switch (block.type) {
        case "text":
          b.messages[m.role] += count(block.text);
          break;
        case "thinking":
          b.thinking += count(block.thinking);
          break;
        case "tool_use":
          b.toolUses += count(block.name) + count(JSON.stringify(block.input));
          break;
        case "tool_result":
          if (typeof block.content === "string") b.toolResults += count(block.content);
          else for (const p of block.content ?? []) p.type === "image" ? image() : (b.toolResults += count(String(p.text ?? "")));
          break;
        case "image":
          image();
          break;
      }
    }
  }
  b.total = b.system + b.tools.reduce((n, t) => n + t.tokens, 0) + b.messages.user + b.messages.assistant + b.messages.system + b.toolUses + b.toolResults + b.thinking + b.images.tokens;
  if (previous) {
    const a = linearize(previous);
    const c = linearize(req);
    let i = 0;
    while (i < a.length && i < c.length && a.charCodeAt(i) === c.charCodeAt(i)) i++;
    b.stablePrefix = { tokens: count(c.slice(0, i)), ofPrevious: count(a) };
  }
  return b;
}

/** Rows for the terminal: label, tokens, share of the total. */
export function breakdownRows(b: Breakdown): { label: string; tokens: number; share: number }[] {
  const rows = [
    { label: "system prompt", tokens: b.system },
    ...b.tools.map((t) => ({ label: `tool ${t.name}`, tokens: t.tokens })),
    { label: "user messages", tokens: b.messages.user },
    { label: "assistant messages", tokens: b.messages.assistant },
    { label: "system messages", tokens: b.messages.system },
    { label: "tool calls", tokens: b.toolUses },
    { label: "tool results", tokens: b.toolResults },
    { label: "thinking", tokens: b.thinking },
    { label: `images (${b.images.count})`, tokens: b.images.tokens },
  ];
  return rows.filter((r) => r.tokens > 0).map((r) => ({ ...r, share: b.total ? r.tokens / b.total : 0 }));
}

export function bar(share: number, width = 30): string {
  const n = Math.round(share * width);
  return "█".repeat(n) + "░".repeat(width - n);
}
