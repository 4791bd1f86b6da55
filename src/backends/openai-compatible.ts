// The one OpenAI-compatible backend, as three parts: the transport (transport.ts: POST, retries,
// Retry-After), the decoder (decode.ts: JSON or SSE → chunks), and here the translator loop with
// the early commit that keeps Claude Code waiting patiently while the upstream prefills.
import type { ConsolaInstance } from "consola";
import type { AnthropicEvent, MessagesRequest } from "../protocol/anthropic.ts";
import type { ChatRequest, Chunk } from "../protocol/openai.ts";
import { AnthropicError, anthropicError, completeOverflow, idleError, PromptTooLongError } from "../translate/errors.ts";
import { type IdFactory, randomId } from "../translate/ids.ts";
import { chatRequestBytes, RecentConversations, RecentMessages, translateRequest } from "../translate/request.ts";
import { makeSigner } from "../translate/signature.ts";
import { StreamTranslator } from "../translate/stream.ts";
import { makeToolIndex } from "../translate/tool-index.ts";
import { estimateInputTokens } from "../translate/usage.ts";
import { BodyLease } from "../runtime/body-lease.ts";
import { decodeBatches } from "./decode.ts";
import type { ServerProfile } from "./profiles.ts";
import { profileForModel } from "./profiles.ts";
import { describeServer } from "./describe.ts";
import { SERVERS } from "./servers.ts";
import { type RefusedParameter, refusedParameter, withAnswerBudget, withoutParameter, withoutParameters } from "./refused-parameters.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, StreamIdleError } from "./sse-reader.ts";
import { type Attempt, describeError, post, type TransportOptions } from "./transport.ts";
import type { Backend, BackendInfo, SendOptions } from "./types.ts";

export interface OpenAICompatibleOptions {
  profile: ServerProfile;
  baseUrl: string;
  apiKey?: string;
  logger: ConsolaInstance;
  /** Commit (200 + message_start) when the upstream has produced nothing after this long (§7.7). */
  commitAfterMs?: number;
  /** A stream that sends nothing for this long ends with overloaded_error. */
  idleTimeoutMs?: number;
  /** Attempts for connection errors and 429/503 before the first byte. */
  retries?: number;
  retryBaseMs?: number;
  ids?: IdFactory;
  sign?: (thinking: string) => string;
}

interface Exchange {
  signal: AbortSignal;
  observe: SendOptions["observe"];
  contextWindow: number | undefined;
  promptTokens: SendOptions["promptTokens"];
}

export class OpenAICompatibleBackend implements Backend {
  readonly name: string;
  private readonly url: string;
  private readonly ids: IdFactory;
  private readonly sign: (thinking: string) => string;
  private readonly transport: TransportOptions;
  /**
   * Models whose answers proved plain (no pre-opened <think>): their content streams at once.
   * Until a model has shown that, its first answer is held until it is clear it is not reasoning.
   * Keyed by model and thinking setting: some templates (DeepSeek-V3.1 under llama.cpp) pre-open
   * <think> only when thinking is on, so a plain answer with it off proves nothing for it on.
   */
  private readonly plainModels = new Set<string>();
  /** The messages JSON of recent requests: a conversation's earlier messages are not written again. */
  // Under Bun a body's buffer is written again by the next request once this one is sent: fetch
  // copies the body when called, where node:http writes from it later.
  private readonly recentMessages = new RecentMessages(4, true);
  /** The chat messages of recent conversations: a resent conversation's earlier messages are not translated again. */
  private readonly recentConversations = new RecentConversations();
  /** The parameters each model's server refused (refused-parameters.ts): later turns go without them. */
  private readonly refused = new Map<string, Set<RefusedParameter>>();

  constructor(private readonly opts: OpenAICompatibleOptions) {
    this.name = opts.profile.name;
    this.url = opts.baseUrl.replace(/\/+$/, "");
    this.ids = opts.ids ?? randomId;
    this.sign = opts.sign ?? makeSigner();
    this.transport = {
      backend: this.name,
      url: this.url,
      headers: this.headers(),
      logger: opts.logger,
      idleMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      retries: opts.retries ?? 2,
      retryBaseMs: opts.retryBaseMs ?? 250,
    };
  }

  private headers(): Record<string, string> {
    return {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...(this.opts.apiKey ? { authorization: `Bearer ${this.opts.apiKey}` } : {}),
      ...this.opts.profile.headers,
    };
  }

  /** Models from /v1/models and the server's own list, and the window it serves `model` with (describe.ts). */
  describe(signal: AbortSignal, model?: string): Promise<BackendInfo> {
    return describeServer({ name: this.name, baseUrl: this.url, server: SERVERS[this.opts.profile.name], headers: this.headers(), signal, ...(model ? { model } : {}) });
  }

  async *send(req: MessagesRequest, opts: SendOptions): AsyncGenerator<AnthropicEvent> {
    for await (const batch of this.sendBatches(req, opts)) yield* batch;
  }

  /** The events of each upstream read together: the server writes them at once. */
  async *sendBatches(req: MessagesRequest, { model, signal, observe, contextWindow, promptTokens }: SendOptions): AsyncGenerator<AnthropicEvent[]> {
    const translateProfile = profileForModel(this.opts.profile, model);
    const thinkKey = `${model}\u0000${req.thinking?.type ?? "default"}`;
    const refused = this.refused.get(model);
    const asked = req.thinking && refused?.has("thinking") ? { ...req, thinking: null } : req;
    const translated = translateRequest(asked, { model, profile: translateProfile, recent: this.recentConversations });
    const { request, notes } = refused ? { ...translated, request: withoutParameters(translated.request, refused) } : translated;
    for (const note of notes) this.opts.logger.debug(note);
    // As bytes under Bun too: the system prompt makes the body a two-byte string that fetch would
    // transcode whole each turn, where the bytes reuse the conversation's run (request-json.ts).
    const body = chatRequestBytes(request, this.recentMessages);
    const x: Exchange = { signal, observe, contextWindow, promptTokens };
    // Sent first: what follows is built while the upstream reads the request.
    // Its buffer is written again for a later body once every POST of it is done with it (retries included).
    const lease = new BodyLease(() => this.recentMessages.release(body.bytes));
    const sent = this.ask(request, body.bytes, x, lease);
    const settle = () => lease.settle();
    sent.then(settle, settle);
    const translator = new StreamTranslator({
      model: req.model,
      tools: makeToolIndex(req.tools),
      estimatedInputTokens: estimateInputTokens(body.chars),
      ids: this.ids,
      sign: this.sign,
      inlineThink: translateProfile.inlineThink,
      stopSequences: req.stop_sequences ?? undefined,
      holdUndecided: !this.plainModels.has(thinkKey),
      note: (level, message) => this.opts.logger[level](message),
    });
    const events = this.exchange(sent, request, translator, x)[Symbol.asyncIterator]();
    // The first event, or commit: whether the upstream is slow to send headers or sends only
    // `:` pings while it prefills, Claude Code gets message_start and a ping after commitAfterMs.
    // A JSON answer cannot start early: without a stream, failures keep their status and headers.
    const commitAfter = this.opts.commitAfterMs ?? 5000;
    const first = events.next();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const slow = new Promise<"slow">((resolve) => (timer = setTimeout(() => resolve("slow"), commitAfter)));
    const early = req.stream ? await Promise.race([first, slow]) : await first;
    clearTimeout(timer);
    try {
      if (early === "slow") {
        this.opts.logger.debug(`upstream produced nothing for ${commitAfter} ms; committing the stream early`);
        yield [...translator.commit(), { type: "ping" }];
      }
      for (let r = early === "slow" ? await first : early; !r.done; r = await events.next()) yield r.value;
    } finally {
      await events.return?.(undefined);
      if (translator.thinkOutcome === "plain") this.plainModels.add(thinkKey);
      if (translator.thinkOutcome === "preopened") this.plainModels.delete(thinkKey);
    }
  }

  /** The upstream's answer (the request is sent at once, in this call). */
  private async ask(request: ChatRequest, body: string | Uint8Array, x: Exchange, lease?: BodyLease): Promise<Attempt> {
    x.observe?.upstreamRequest(request);
    const attempt = await post(body, x.signal, this.transport, lease);
    const refused = attempt.ok ? null : refusedParameter(attempt.error);
    // Once per parameter: a rewritten request no longer carries it, so a second refusal of it (or a
    // refusal of one the request never carried) is the answer, never a loop.
    const rewritten = refused && withoutParameter(request, refused);
    if (refused && rewritten) {
      // Remembered per model: later turns are asked this way from the start (sendBatches).
      const known = this.refused.get(request.model) ?? new Set<RefusedParameter>();
      this.refused.set(request.model, known.add(refused));
      this.opts.logger.debug(`${request.model}: the server refused ${refused}; asking again as it takes it`);
      return this.ask(rewritten, JSON.stringify(rewritten), x);
    }
    if (attempt.ok || !attempt.roomForAnswer) return attempt;
    // The prompt fits but max_tokens does not: ask again once with what the window leaves (§6.9).
    const clamped = withAnswerBudget(request, attempt.roomForAnswer);
    this.opts.logger.debug(`max_tokens ${request.max_tokens ?? request.max_completion_tokens} does not fit; retrying with ${attempt.roomForAnswer}`);
    x.observe?.upstreamRequest(clamped);
    return post(JSON.stringify(clamped), x.signal, this.transport);
  }

  /** (Transport →) decode → translate. Failures before commit are thrown; after it, one error event. */
  private async *exchange(sent: Promise<Attempt>, request: ChatRequest, translator: StreamTranslator, x: Exchange): AsyncGenerator<AnthropicEvent[]> {
    const failure = async (raw: AnthropicError): Promise<AnthropicEvent[]> => {
      const error = await withNumbers(raw, x);
      if (!translator.committed) throw error;
      this.opts.logger.warn(`stream failed after commit: ${error.message}`);
      return translator.fail(error);
    };

    const attempt = await sent;
    if (x.signal.aborted) return;
    if (!attempt.ok) return yield await failure(attempt.error);
    x.observe?.upstreamResponse();

    let said = false; // any content, reasoning or tool call so far
    let usage: Chunk["usage"];
    try {
      // One batch per upstream read, but for the answer's first output, cut out of its read (decode.ts:
      // the client sees it sooner); what precedes the end of the answer goes out with its close.
      let last: AnthropicEvent[] = [];
      const decoding = { backend: this.name, idleMs: this.transport.idleMs, streamRequested: request.stream, ...(FIRST_OUTPUT_ALONE ? { firstOutput: says } : {}) };
      reading: for await (const items of decodeBatches(attempt.response, decoding)) {
        const out: AnthropicEvent[] = [];
        for (const item of items) {
          if (item.kind === "error") return yield [...out, ...(await failure(item.error))];
          if (item.kind === "end") {
            // No finish_reason and no [DONE]: the server stopped mid-answer. A cut answer must not look finished.
            if (!item.complete && translator.finishReason === null)
              return yield [...out, ...(await failure(anthropicError("api_error", `${this.name}: the stream ended before the model finished (no finish_reason, no [DONE]); the answer is incomplete`)))];
            last = out;
            break reading;
          }
          said ||= says(item.chunk);
          usage = item.chunk.usage ?? usage;
          for (const ev of translator.chunk(item.chunk)) out.push(ev);
          if (translator.stopped) {
            last = out;
            break reading; // leaving the loop cancels the upstream body
          }
        }
        if (out.length) yield out;
      }
      // vLLM's V0 scheduler ignores a prompt over the window: finish_reason "length", not one token.
      if (!said && translator.finishReason === "length" && usage?.completion_tokens === 0)
        return yield [...last, ...(await failure(new PromptTooLongError(usage.prompt_tokens ? { tokens: usage.prompt_tokens } : {}, `${this.name}: nothing was generated (finish_reason length)`)))];
      yield [...last, ...translator.end()];
    } catch (e) {
      if (x.signal.aborted) return;
      if (e instanceof AnthropicError) throw e; // already through failure()
      if (e instanceof StreamIdleError) return yield await failure(idleError(this.name, e.idleMs));
      return yield await failure(anthropicError("api_error", `${this.name}: stream interrupted: ${describeError(e)}`));
    }
  }
}

/** An overflow reported without its numbers gets ours: the prompt as the proxy counts it, the window it knows. */
async function withNumbers(error: AnthropicError, x: Exchange): Promise<AnthropicError> {
  if (!(error instanceof PromptTooLongError)) return error;
  const o = error.overflow;
  const needCount = o.tokens == null && (o.excess == null || (o.max ?? x.contextWindow) == null);
  const promptTokens = needCount && x.promptTokens ? await x.promptTokens().catch(() => undefined) : undefined;
  return completeOverflow(error, { ...(promptTokens != null ? { promptTokens } : {}), ...(x.contextWindow ? { window: x.contextWindow } : {}) });
}

/**
 * Under Bun the answer's first output is written on its own (decode.ts firstOutput). Not under
 * Node, where a response's writes within one event-loop turn leave as one socket write
 * (runtime/serve-node.ts): the rest of the read is translated in the same turn, so the split
 * would cost a write and gain nothing (measured: TTFD unchanged, CPU at 64 streams no better).
 */
const FIRST_OUTPUT_ALONE = typeof Bun !== "undefined";

function says(chunk: Chunk): boolean {
  const d = chunk.choices?.[0]?.delta ?? chunk.choices?.[0]?.message;
  return !!(d?.content || d?.reasoning_content || d?.reasoning || d?.reasoning_details?.length || d?.tool_calls?.length);
}
