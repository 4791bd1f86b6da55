// Where the tokens of a request go (the one count of context/request-tokens.ts), and how much of
// it is identical to the previous request of the session (what a prefix cache can reuse).
import { countRequest, type RequestTokens } from "../context/request-tokens.ts";
import type { TextCounter } from "../context/text-counter.ts";
import type { MessagesRequest } from "../protocol/anthropic.ts";

export interface Breakdown extends RequestTokens {
  /** Tokens identical to the previous request of the same session, when there is one. */
  stablePrefix?: { tokens: number; ofPrevious: number };
}

export function systemText(req: MessagesRequest): string {
  return typeof req.system === "string" ? req.system : (req.system ?? []).map((b) => b.text).join("\n\n");
}

/** The request as one string in prompt order, for prefix comparison. */
export function linearize(req: MessagesRequest): string {
  return [systemText(req), JSON.stringify(req.tools ?? []), ...req.messages.map((m) => `${m.role}:${JSON.stringify(m.content)}`)].join("\n");
}

export async function analyzeRequest(req: MessagesRequest, counter: TextCounter, previous?: MessagesRequest): Promise<Breakdown> {
  const b: Breakdown = await countRequest(req, counter);
  if (previous) {
    const a = linearize(previous);
    const c = linearize(req);
    let i = 0;
    while (i < a.length && i < c.length && a.charCodeAt(i) === c.charCodeAt(i)) i++;
    const [tokens, ofPrevious] = (await counter.count([c.slice(0, i), a])).tokens;
    b.stablePrefix = { tokens: tokens!, ofPrevious: ofPrevious! };
  }
  return b;
}

/** Rows for the terminal: label, tokens, share of the total. */
export function breakdownRows(b: Breakdown): { label: string; tokens: number; share: number }[] {
  const rows = [
    { label: "system prompt", tokens: b.system },
    ...[...b.tools].sort((x, y) => y.tokens - x.tokens).map((t) => ({ label: `tool ${t.name}`, tokens: t.tokens })),
    { label: "user messages", tokens: b.messages.user },
    { label: "assistant messages", tokens: b.messages.assistant },
    { label: "system messages", tokens: b.messages.system },
    { label: "tool calls", tokens: b.toolUses },
    { label: "tool results", tokens: b.toolResults },
    { label: "thinking", tokens: b.thinking },
    { label: `images (${b.images.count})`, tokens: b.images.tokens },
    { label: "message framing", tokens: b.framing },
  ];
  return rows.filter((r) => r.tokens > 0).map((r) => ({ ...r, share: b.total ? r.tokens / b.total : 0 }));
}

export function bar(share: number, width = 30): string {
  const n = Math.round(share * width);
  return "█".repeat(n) + "░".repeat(width - n);
}
