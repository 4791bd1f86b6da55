// The streaming state machine: OpenAI chat-completion chunks → Anthropic SSE events
// (protocol.md §7). Pure: every method returns the events to write, in order. Non-streaming
// upstream responses go through the same machine as one big chunk, so both paths agree.
import type { AnthropicEvent, ResponseBlock, StopReason, Usage } from "../protocol/anthropic.ts";
import { TextDeltaEvent } from "../protocol/text-delta.ts";
import type { Chunk, ChatUsage, ChunkDelta, ToolCallDelta } from "../protocol/openai.ts";
import { type AnthropicError, anthropicError } from "./errors.ts";
import type { IdFactory } from "./ids.ts";
import { StopScanner } from "./stop-scanner.ts";
import { isCompleteJson, ToolCallKeys } from "./tool-call-keys.ts";
import { type ThinkOutcome, ThinkSplitter } from "./think-splitter.ts";
import { cutOffNote, repairToolArguments } from "./tool-args.ts";
import { laterName } from "./tool-names.ts";
import { anthropicUsage, estimateOutputTokens } from "./usage.ts";

export interface ToolIndex {
  /** Backend name → the name Claude Code declared. */
  resolve(name: string): string;
  schemaOf(name: string): Record<string, unknown> | undefined;
}

export interface StreamContext {
  /** The model string Claude Code sent; echoed back unchanged. */
  model: string;
  tools: ToolIndex;
  estimatedInputTokens: number;
  ids: IdFactory;
  /** Signature for thinking blocks built from backend reasoning (T11). */
  sign: (thinking: string) => string;
  inlineThink: boolean;
  /** Hold content that does not open with <think> until it shows whether it was reasoning (default true). */
  holdUndecided?: boolean;
  stopSequences?: readonly string[];
  /** Lossy decisions (repairs, dropped calls) go here as they happen, for the log. */
  note: (level: NoteLevel, message: string) => void;
}

interface PendingCall {
  upId: string | undefined;
  name: string;
  args: string;
  done: boolean;
  emitted: boolean;
}

type OpenKind = "thinking" | "text" | "tool";

export type NoteLevel = "debug" | "warn";

export class StreamTranslator {
  readonly messageId: string;
  committed = false;
  finished = false;

  private out: AnthropicEvent[] = [];
  private nextIndex = 0;
  private open: { kind: OpenKind; index: number; thinking?: string } | null = null;
  private calls = new Map<string, PendingCall>();
  private callOrder: string[] = [];
  private keys = new ToolCallKeys(
    (key) => this.calls.get(key),
    (key) => (this.calls.get(key)!.done = true),
  );
  private finish: string | null = null;
  private upstreamStop: string | number | null = null;
  private usage: Usage | null = null;
  private anyToolEmitted = false;
  private outChars = 0;
  private heldWhitespace = "";
  /** Calls cut off before their arguments were complete: never run, told at the end of the turn. */
  private cutCalls: string[] = [];
  private readonly think: ThinkSplitter | null;
  private readonly stops: StopScanner | null;

  constructor(private readonly ctx: StreamContext) {
    this.messageId = ctx.ids("msg");
    this.stops = ctx.stopSequences?.length ? new StopScanner(ctx.stopSequences) : null;
    const stops = this.stops;
    this.think = ctx.inlineThink ? new ThinkSplitter(false, stops ? (held) => stops.occursIn(held) : () => false, ctx.holdUndecided ?? true) : null;
  }

  /** message_start, once. Called early when the upstream is slow to answer (§7.7). */
  commit(): AnthropicEvent[] {
    this.ensureCommitted();
    return this.drain();
  }

  /** The upstream's finish_reason, once it sent one. */
  get finishReason(): string | null {
    return this.finish;
  }

  /** Whether this answer began inside a pre-opened <think> or plainly answered (null: it did not show). */
  get thinkOutcome(): ThinkOutcome {
    return this.think?.outcome ?? null;
  }

  /** A stop sequence matched: the caller stops reading the upstream and calls end(). */
  get stopped(): boolean {
    return this.stops?.matched != null;
  }

  chunk(chunk: Chunk): AnthropicEvent[] {
    if (this.finished || this.stopped) return [];
    if (chunk.usage) this.usage = anthropicUsage(chunk.usage as ChatUsage, chunk.timings?.cache_n);
    else if (chunk.timings?.cache_n != null && this.usage) this.usage.cache_read_input_tokens = chunk.timings.cache_n;
    const choice = chunk.choices?.[0];
    if (choice) {
      const delta = choice.delta ?? choice.message;
      if (delta) {
        const reasoning = delta.reasoning_content ?? delta.reasoning ?? reasoningDetailsText(delta.reasoning_details);
        if (reasoning) {
          this.settleThink(); // the server separates reasoning itself: content is the answer
          this.onReasoning(reasoning);
        }
        if (delta.content) this.onText(delta.content);
        if (delta.tool_calls) for (const call of delta.tool_calls) this.onToolDelta(call);
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
      if (choice.stop_reason != null) this.upstreamStop = choice.stop_reason;
    }
    return this.drain();
  }

  /**
   * On [DONE] or upstream EOF: close everything, message_delta, message_stop. Idempotent. A turn
   * whose only content was a cut-off call fails instead: an `error` event, or before commit a
   * thrown AnthropicError for the caller to answer as an HTTP error.
   */
  end(): AnthropicEvent[] {
    if (this.finished) return [];
    const finishedItself = this.finish !== null && this.finish !== "length";
    if (this.think) for (const p of this.think.flush(finishedItself)) p.kind === "reasoning" ? this.onReasoning(p.text) : this.onText(p.text, true);
    if (this.stops) this.emitText(this.stops.flush());
    if (this.finish === null) this.ctx.note("warn", "upstream ended without finish_reason");
    for (const c of this.calls.values()) c.done = true;
    this.flushCalls();
    if (this.cutCalls.length) {
      const notes = this.cutCalls.map(cutOffNote).join("\n");
      if (this.nextIndex === 0) {
        const error = anthropicError("api_error", notes);
        if (this.committed) return this.fail(error);
        this.finished = true;
        throw error;
      }
      this.start("text", { type: "text", text: "" });
      this.out.push({ type: "content_block_delta", index: this.open!.index, delta: { type: "text_delta", text: notes } });
    }
    this.ensureCommitted();
    this.close();
    const matched = this.matchedStop();
    const usage = this.usage ?? {
      input_tokens: this.ctx.estimatedInputTokens,
      output_tokens: estimateOutputTokens(this.outChars),
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    };
    if (!this.usage) this.ctx.note("debug", "no usage from upstream; reporting estimates");
    this.out.push({
      type: "message_delta",
      delta: { stop_reason: this.stopReason(matched), stop_sequence: matched },
      usage,
    });
    this.out.push({ type: "message_stop" });
    this.finished = true;
    return this.drain();
  }

  /** After commit, a failure ends the stream with one `error` event and nothing after it (§7.8). */
  fail(error: AnthropicError): AnthropicEvent[] {
    if (this.finished) return [];
    this.ensureCommitted();
    if (this.open) {
      this.out.push({ type: "content_block_stop", index: this.open.index });
      this.open = null;
    }
    this.out.push({ type: "error", error: error.body });
    this.finished = true;
    return this.drain();
  }

  // ---- handlers -------------------------------------------------------------------------------

  private onReasoning(text: string): void {
    if (!text) return;
    this.completePendingCalls();
    if (this.open?.kind !== "thinking") this.start("thinking", { type: "thinking", thinking: "", signature: "" });
    this.open!.thinking += text;
    this.outChars += text.length;
    this.out.push({ type: "content_block_delta", index: this.open!.index, delta: { type: "thinking_delta", thinking: text } });
  }

  private onText(text: string, fromSplitter = false): void {
    if (this.think && !fromSplitter) {
      // The upstream is answering: commit now, even while the splitter holds undecided content.
      this.ensureCommitted();
      if (!this.think.passesText) {
        for (const p of this.think.feed(text)) p.kind === "reasoning" ? this.onReasoning(p.text) : this.onText(p.text, true);
        return;
      }
    }
    if (this.stops) text = this.stops.feed(text);
    this.emitText(text);
  }

  private emitText(text: string): void {
    if (!text) return;
    if (this.open?.kind !== "text") {
      // Whitespace-only text blocks are rejected by Anthropic when sent back (§1.8): hold it.
      const pending = this.heldWhitespace + text;
      if (pending.trim() === "") {
        this.heldWhitespace = pending;
        return;
      }
      this.heldWhitespace = "";
      this.completePendingCalls();
      this.start("text", { type: "text", text: "" });
      text = pending;
    }
    this.outChars += text.length;
    this.out.push(new TextDeltaEvent(this.open!.index, text));
  }

  private onToolDelta(d: ToolCallDelta): void {
    this.settleThink();
    const upId = d.id == null || d.id === "" ? undefined : String(d.id);
    const key = this.keys.keyFor(d.index ?? undefined, upId, d.function?.name ?? undefined);
    let call = this.calls.get(key);
    if (call?.emitted) {
      this.ctx.note("warn", `ignored a late fragment for tool call ${call.name}`);
      return;
    }
    if (!call) {
      call = { upId, name: "", args: "", done: false, emitted: false };
      this.calls.set(key, call);
      this.callOrder.push(key);
    }
    call.upId ??= upId;
    call.name = laterName(call.name, d.function?.name);
    const args = d.function?.arguments;
    if (args != null) {
      if (typeof args === "object") call.args = JSON.stringify(args);
      else call.args += args;
      this.outChars += typeof args === "string" ? args.length : 0;
    }
    // A new call completes the earlier ones, unless their JSON is still open: some servers
    // interleave the fragments of parallel calls across indices.
    for (const k of this.callOrder) {
      if (k === key) break;
      const earlier = this.calls.get(k)!;
      if (!earlier.done && isCompleteJson(earlier.args)) earlier.done = true;
    }
    this.heldWhitespace = "";
    this.flushCalls();
  }

  private settleThink(): void {
    if (this.think) for (const p of this.think.settle()) this.onText(p.text, true);
  }

  private completePendingCalls(): void {
    if (!this.calls.size) return;
    for (const c of this.calls.values()) c.done = true;
    this.flushCalls();
  }

  /** Buffered emission: each call goes out once, whole, with repaired arguments (§7.4). */
  private flushCalls(): void {
    for (const key of this.callOrder) {
      const c = this.calls.get(key)!;
      if (!c.done || c.emitted) continue;
      c.emitted = true;
      if (!c.name) {
        this.ctx.note("warn", "dropped tool call without a name");
        continue;
      }
      const name = this.ctx.tools.resolve(c.name);
      const truncated = this.finish === "length";
      const result = repairToolArguments(c.args, this.ctx.tools.schemaOf(name), { truncatedResponse: truncated });
      if (!result.ok) {
        if (result.cutOff) {
          this.ctx.note("warn", `dropped tool call ${name}, not run: ${result.reason}`);
          this.cutCalls.push(name);
          continue;
        }
        // Never a broken tool_use: show the model's attempt as text instead.
        this.ctx.note("warn", `tool call ${name} could not be repaired (${result.reason}); sent as text`);
        this.onText(`[invalid tool call ${name}: ${c.args}]`, true);
        continue;
      }
      if (result.repaired) this.ctx.note("debug", `repaired arguments of ${name}: ${c.args.slice(0, 200)}`);
      this.start("tool", { type: "tool_use", id: this.ctx.ids("toolu"), name, input: {} });
      this.out.push({
        type: "content_block_delta",
        index: this.open!.index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(result.input) },
      });
      this.close();
      this.anyToolEmitted = true;
    }
  }

  // ---- blocks ---------------------------------------------------------------------------------

  private ensureCommitted(): void {
    if (this.committed) return;
    this.committed = true;
    this.out.push({
      type: "message_start",
      message: {
        id: this.messageId,
        type: "message",
        role: "assistant",
        model: this.ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: this.ctx.estimatedInputTokens,
          output_tokens: 1,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
  }

  private start(kind: OpenKind, block: ResponseBlock): void {
    this.close();
    this.ensureCommitted();
    this.open = { kind, index: this.nextIndex++, thinking: "" };
    this.out.push({ type: "content_block_start", index: this.open.index, content_block: block });
  }

  private close(): void {
    if (!this.open) return;
    if (this.open.kind === "thinking") {
      this.out.push({
        type: "content_block_delta",
        index: this.open.index,
        delta: { type: "signature_delta", signature: this.ctx.sign(this.open.thinking ?? "") },
      });
    }
    this.out.push({ type: "content_block_stop", index: this.open.index });
    this.open = null;
  }

  private matchedStop(): string | null {
    if (this.stops?.matched) return this.stops.matched;
    const s = this.upstreamStop;
    return typeof s === "string" && this.ctx.stopSequences?.includes(s) ? s : null;
  }

  private stopReason(matched: string | null): StopReason {
    if (matched) return "stop_sequence";
    if (this.finish === "length") return "max_tokens";
    if (this.finish === "content_filter") return "refusal";
    return this.anyToolEmitted ? "tool_use" : "end_turn";
  }

  private drain(): AnthropicEvent[] {
    const events = this.out;
    this.out = [];
    return events;
  }
}

/** OpenRouter's reasoning_details: readable text and summaries; encrypted entries carry nothing to show. */
function reasoningDetailsText(details: ChunkDelta["reasoning_details"]): string | undefined {
  if (!details?.length) return undefined;
  const text = details.map((d) => (d.type === "reasoning.encrypted" ? "" : (d.text ?? d.summary ?? ""))).join("");
  return text || undefined;
}
