// OpenAI Chat Completions as the backends speak it (protocol.md §5). Upstream chunks are checked
// with valibot because they are external input too; the request types are what we send.
import * as v from "valibot";

export type ContentPart =
  | { type: "text"; text: string; cache_control?: unknown }
  | { type: "image_url"; image_url: { url: string } };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: "system"; content: string | ContentPart[] }
  | { role: "user"; content: string | ContentPart[] }
  | { role: "assistant"; content: string; tool_calls?: ToolCall[]; reasoning_content?: string; reasoning?: string }
  | { role: "tool"; tool_call_id: string; content: string };

export interface ChatTool {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export type ChatToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  /** OpenAI's name for max_tokens, the only one its reasoning models take (refused-parameters.ts). */
  max_completion_tokens?: number;
  stream: boolean;
  stream_options?: { include_usage: boolean };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  reasoning_effort?: string;
  reasoning?: Record<string, unknown>;
  chat_template_kwargs?: Record<string, unknown>;
  response_format?: unknown;
  user?: string;
}

const usageSchema = v.looseObject({
  prompt_tokens: v.optional(v.nullable(v.number())),
  completion_tokens: v.optional(v.nullable(v.number())),
  prompt_tokens_details: v.optional(
    v.nullable(
      v.looseObject({
        cached_tokens: v.optional(v.nullable(v.number())),
        cache_write_tokens: v.optional(v.nullable(v.number())),
      }),
    ),
  ),
});

const toolCallDeltaSchema = v.looseObject({
  index: v.optional(v.nullable(v.number())),
  id: v.optional(v.nullable(v.union([v.string(), v.number()]))),
  function: v.optional(
    v.nullable(
      v.looseObject({
        name: v.optional(v.nullable(v.string())),
        // Some servers send an object instead of a JSON string.
        arguments: v.optional(v.nullable(v.union([v.string(), v.record(v.string(), v.unknown())]))),
      }),
    ),
  ),
});

const deltaSchema = v.looseObject({
  content: v.optional(v.nullable(v.string())),
  reasoning_content: v.optional(v.nullable(v.string())),
  reasoning: v.optional(v.nullable(v.string())),
  // OpenRouter: [{type: "reasoning.text", text} | {type: "reasoning.summary", summary} | {type: "reasoning.encrypted", data}]
  reasoning_details: v.optional(
    v.nullable(
      v.array(
        v.looseObject({
          type: v.optional(v.nullable(v.string())),
          text: v.optional(v.nullable(v.string())),
          summary: v.optional(v.nullable(v.string())),
        }),
      ),
    ),
  ),
  tool_calls: v.optional(v.nullable(v.array(toolCallDeltaSchema))),
});

export const ChunkSchema = v.looseObject({
  choices: v.optional(
    v.nullable(
      v.array(
        v.looseObject({
          delta: v.optional(v.nullable(deltaSchema)),
          // Non-streaming responses carry `message`; we treat it as one big delta.
          message: v.optional(v.nullable(deltaSchema)),
          finish_reason: v.optional(v.nullable(v.string())),
          stop_reason: v.optional(v.nullable(v.union([v.string(), v.number()]))),
        }),
      ),
    ),
  ),
  usage: v.optional(v.nullable(usageSchema)),
  timings: v.optional(v.nullable(v.looseObject({ cache_n: v.optional(v.number()) }))),
  error: v.optional(v.unknown()),
});

export type Chunk = v.InferOutput<typeof ChunkSchema>;
export type ChunkDelta = v.InferOutput<typeof deltaSchema>;
export type ToolCallDelta = v.InferOutput<typeof toolCallDeltaSchema>;
export type ChatUsage = v.InferOutput<typeof usageSchema>;
