// Builders for OpenAI streaming chunks, so scripts read like the wire format they stand for.
import type { Frame, Reply } from "./upstream.ts";

type Delta = Record<string, unknown>;

export const chunk = (delta: Delta, finish: string | null = null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }], ...extra });

export const usageChunk = (prompt: number, completion: number, cached?: number) =>
  JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...(cached != null ? { prompt_tokens_details: { cached_tokens: cached } } : {}) },
  });

export const text = (s: string) => chunk({ content: s });
export const reasoning = (s: string) => chunk({ reasoning_content: s });
export const finish = (reason: string) => chunk({}, reason);
export const DONE = "[DONE]";

export const toolStart = (index: number, id: string, name: string, args = "") =>
  chunk({ tool_calls: [{ index, id, type: "function", function: { name, arguments: args } }] });
export const toolArgs = (index: number, args: string) => chunk({ tool_calls: [{ index, function: { arguments: args } }] });

export const sse = (...frames: Frame[]): Reply => ({ kind: "sse", frames });

/** A whole text answer: role chunk, pieces, stop, usage, [DONE]. */
export const textReply = (answer: string, usage: [number, number, number?] = [100, 10]): Reply =>
  sse(chunk({ role: "assistant", content: "" }), text(answer), finish("stop"), usageChunk(...usage), DONE);
