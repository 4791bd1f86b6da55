// The Anthropic Messages API as Claude Code speaks it: the valibot schema every request body is
// checked against, and the response/event types the proxy produces (protocol.md §1–3).
import * as v from "valibot";

const cacheControl = v.optional(v.nullable(v.looseObject({ type: v.string() })));

const textBlock = v.looseObject({
  type: v.literal("text"),
  text: v.string(),
  cache_control: cacheControl,
});

const imageBlock = v.looseObject({
  type: v.literal("image"),
  source: v.variant("type", [
    v.looseObject({ type: v.literal("base64"), media_type: v.string(), data: v.string() }),
    v.looseObject({ type: v.literal("url"), url: v.string() }),
    v.looseObject({ type: v.literal("file"), file_id: v.string() }),
  ]),
  cache_control: cacheControl,
});

const documentBlock = v.looseObject({
  type: v.literal("document"),
  source: v.looseObject({ type: v.string() }),
  title: v.optional(v.nullable(v.string())),
  cache_control: cacheControl,
});

const toolUseBlock = v.looseObject({
  type: v.literal("tool_use"),
  id: v.pipe(v.string(), v.minLength(1)),
  name: v.pipe(v.string(), v.minLength(1)),
  input: v.record(v.string(), v.unknown()),
  cache_control: cacheControl,
});

// Blocks allowed inside a tool_result; unknown kinds are kept loosely and flattened to text.
const toolResultPart = v.looseObject({ type: v.string() });

const toolResultBlock = v.looseObject({
  type: v.literal("tool_result"),
  tool_use_id: v.pipe(v.string(), v.minLength(1)),
  content: v.optional(v.nullable(v.union([v.string(), v.array(toolResultPart)]))),
  is_error: v.optional(v.nullable(v.boolean())),
  cache_control: cacheControl,
});

const thinkingBlock = v.looseObject({
  type: v.literal("thinking"),
  thinking: v.string(),
  signature: v.optional(v.string()),
});

const redactedThinkingBlock = v.looseObject({ type: v.literal("redacted_thinking"), data: v.string() });

const serverToolUseBlock = v.looseObject({
  type: v.literal("server_tool_use"),
  id: v.string(),
  name: v.string(),
  input: v.unknown(),
});

const KNOWN_BLOCK_TYPES = [
  "text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use",
];

// Claude Code releases add block kinds; unknown ones pass validation as "unsupported" (keeping the
// original) and translation decides what, if anything, to make of them.
const unknownBlock = v.pipe(
  v.looseObject({
    type: v.pipe(
      v.string(),
      v.check((t) => !KNOWN_BLOCK_TYPES.includes(t), "known block type with invalid fields"),
    ),
  }),
  v.transform((original) => ({ type: "unsupported" as const, original: original as Record<string, unknown> })),
);

export const ContentBlockSchema = v.variant("type", [
  textBlock, imageBlock, documentBlock, toolUseBlock, toolResultBlock, thinkingBlock,
  redactedThinkingBlock, serverToolUseBlock, unknownBlock,
]);

const messageSchema = v.looseObject({
  role: v.picklist(["user", "assistant", "system"]),
  content: v.union([v.string(), v.array(ContentBlockSchema)]),
});

const toolSchema = v.looseObject({
  name: v.pipe(v.string(), v.minLength(1)),
  type: v.optional(v.nullable(v.string())),
  description: v.optional(v.nullable(v.string())),
  input_schema: v.optional(v.record(v.string(), v.unknown())),
});

const toolChoiceSchema = v.variant("type", [
  v.looseObject({ type: v.literal("auto"), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal("any"), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal("tool"), name: v.string(), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal("none") }),
]);

const thinkingSchema = v.variant("type", [
  v.looseObject({ type: v.literal("enabled"), budget_tokens: v.pipe(v.number(), v.integer()) }),
  v.looseObject({ type: v.literal("adaptive") }),
  v.looseObject({ type: v.literal("disabled") }),
]);

const systemSchema = v.union([v.string(), v.array(textBlock)]);

/** Fields this proxy reads. Anything else is accepted and ignored (new Claude Code fields must not break users). */
export const KNOWN_REQUEST_FIELDS = [
  "model", "max_tokens", "messages", "system", "stream", "temperature", "top_p", "top_k", "stop_sequences",
  "tools", "tool_choice", "thinking", "output_config", "metadata", "service_tier", "cache_control",
  "context_management", "container", "inference_geo",
];

export const MessagesRequestSchema = v.looseObject({
  model: v.pipe(v.string(), v.minLength(1, "must be a non-empty string")),
  max_tokens: v.pipe(v.number(), v.integer(), v.minValue(0)),
  messages: v.pipe(v.array(messageSchema), v.minLength(1, "at least one message is required")),
  system: v.optional(systemSchema),
  stream: v.optional(v.nullable(v.boolean())),
  temperature: v.optional(v.nullable(v.number())),
  top_p: v.optional(v.nullable(v.number())),
  top_k: v.optional(v.nullable(v.pipe(v.number(), v.integer()))),
  stop_sequences: v.optional(v.nullable(v.array(v.string()))),
  tools: v.optional(v.nullable(v.array(toolSchema))),
  tool_choice: v.optional(v.nullable(toolChoiceSchema)),
  thinking: v.optional(v.nullable(thinkingSchema)),
  output_config: v.optional(
    v.nullable(v.looseObject({ effort: v.optional(v.nullable(v.string())), format: v.optional(v.unknown()) })),
  ),
  metadata: v.optional(v.nullable(v.looseObject({ user_id: v.optional(v.nullable(v.string())) }))),
});

/** count_tokens takes the same body minus max_tokens/stream. */
export const CountTokensRequestSchema = v.looseObject({
  ...MessagesRequestSchema.entries,
  max_tokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0)), 1),
});

export type MessagesRequest = v.InferOutput<typeof MessagesRequestSchema>;
export type MessageParam = MessagesRequest["messages"][number];
export type ContentBlockParam = v.InferOutput<typeof ContentBlockSchema>;
export type ToolParam = NonNullable<MessagesRequest["tools"]>[number];

// ---- Response side ----------------------------------------------------------------------------

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal" | "pause_turn";

export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type ResponseBlock =
  | { type: "text"; text: string }
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

export interface Message {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ResponseBlock[];
  stop_reason: StopReason | null;
  stop_sequence: string | null;
  usage: Usage;
}

export type BlockDelta =
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string }
  | { type: "input_json_delta"; partial_json: string };

export type ErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";

export interface ErrorBody {
  type: ErrorType;
  message: string;
}

export type AnthropicEvent =
  | { type: "message_start"; message: Message }
  | { type: "content_block_start"; index: number; content_block: ResponseBlock }
  | { type: "content_block_delta"; index: number; delta: BlockDelta }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: StopReason; stop_sequence: string | null };
      usage: Partial<Usage> & { output_tokens: number };
    }
  | { type: "message_stop" }
  | { type: "ping" }
  | { type: "error"; error: ErrorBody };

/** The request as an Anthropic-format upstream reads it: unknown blocks go back as they came. */
export function toWire(req: MessagesRequest): Record<string, unknown> {
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (!value || typeof value !== "object") return value;
    const o = value as Record<string, unknown>;
    if (o.type === "unsupported" && "original" in o) return o.original;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, restore(x)]));
  };
  return restore(req) as Record<string, unknown>;
}
