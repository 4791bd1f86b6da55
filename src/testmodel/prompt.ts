// Claude Code's real request shape, from a captured request shipped as a compact asset: its system
// prompt, its tools and the context it sends with the first prompt. Pure builders.
import type { MessageParam, MessagesRequest, ToolParam } from "../protocol/anthropic.ts";
import asset from "./claude-code-prompt.json" with { type: "json" };

export type Json = Record<string, unknown>;

/** Where the captured prompt says Claude Code runs; probe paths live under it. */
export const PROJECT = "/home/user/project";

const tools = asset.tools as unknown as ToolParam[];

export const schemaOf = (name: string): Json | undefined => tools.find((t) => t.name === name)?.input_schema as Json | undefined;

/** The tools a short probe offers: the ones Claude Code's coding turns use most. */
const SHORT_TOOLS = ["Bash", "Edit", "Read", "Write"];

export interface PromptOptions {
  /** The whole captured prompt (~20k tokens) instead of its identity line and four tools. */
  full: boolean;
  /** Put first in the system prompt so no server can answer from a cache (cold prefill). */
  nonce?: string;
  maxTokens?: number;
}

/** A streaming Anthropic request as Claude Code would send it, around the given conversation. */
export function claudeCodeRequest(conversation: MessageParam[], opts: PromptOptions): MessagesRequest {
  const system = asset.system.map((b) => ({ ...b }));
  const blocks = opts.full ? system : system.slice(0, 1);
  if (opts.nonce) blocks[0] = { ...blocks[0]!, text: `[probe ${opts.nonce}] ${blocks[0]!.text}` };
  const [first, ...rest] = conversation;
  // The full prompt also carries what Claude Code sends around the first user message.
  const messages: MessageParam[] =
    opts.full && first?.role === "user"
      ? [{ role: "user", content: [{ type: "text", text: asset.reminder }, ...asBlocks(first.content)] }, { role: "system", content: [{ type: "text", text: asset.environment }] }, ...rest]
      : conversation;
  return {
    model: asset.request.model,
    max_tokens: opts.maxTokens ?? 4096,
    stream: true,
    system: blocks,
    tools: opts.full ? tools : tools.filter((t) => SHORT_TOOLS.includes(t.name)),
    messages,
    thinking: asset.request.thinking,
    output_config: asset.request.output_config,
  } as MessagesRequest;
}

type Blocks = Exclude<MessageParam["content"], string>;
function asBlocks(content: MessageParam["content"]): Blocks {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

/** Claude Code's Read result: `cat -n` numbering, a tab, then the line. */
export function catN(text: string): string {
  return text
    .split("\n")
    .map((line, i) => `${String(i + 1).padStart(6)}\t${line}`)
    .join("\n");
}
