// Token counting with gpt-tokenizer (o200k_base). The encoding is 2.4 MB of tables, so it is
// loaded on first use, never at start-up.
import type { ChatRequest } from "../protocol/openai.ts";

type Encoding = typeof import("gpt-tokenizer/encoding/o200k_base");
let encoding: Promise<Encoding> | undefined;

function loadTokenizer(): Promise<Encoding> {
  encoding ??= import("gpt-tokenizer/encoding/o200k_base");
  return encoding;
}

// Special-token text inside prompts (e.g. "<|endoftext|>" in a file) is counted as plain text.
const PLAIN = { disallowedSpecial: new Set<string>() };

/** A synchronous counter, once the encoding has loaded. */
export async function loadTextCounter(): Promise<(text: string) => number> {
  const enc = await loadTokenizer();
  return (text) => enc.countTokens(text, PLAIN);
}

/** Per-message framing tokens, as chat templates add role markers around every message. */
const MESSAGE_OVERHEAD = 4;

/** Tokens of a converted request as a chat template would see them: messages, tool calls and tool definitions. */
export async function countChatRequestTokens(req: Pick<ChatRequest, "messages" | "tools">): Promise<number> {
  const count = await loadTextCounter();
  let total = 0;
  for (const m of req.messages) {
    total += MESSAGE_OVERHEAD;
    if (typeof m.content === "string") total += count(m.content);
    else for (const p of m.content) if (p.type === "text") total += count(p.text);
      else total += 765; // an image costs roughly a 512×512 tile set in most vision encoders
    if (m.role === "assistant") {
      for (const c of m.tool_calls ?? []) total += count(c.function.name) + count(c.function.arguments) + MESSAGE_OVERHEAD;
      const reasoning = m.reasoning_content ?? m.reasoning;
      if (reasoning) total += count(reasoning);
    }
  }
  if (req.tools?.length) total += count(JSON.stringify(req.tools));
  return total;
}
