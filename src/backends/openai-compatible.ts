// The one OpenAI-compatible backend: HTTP to the upstream, retries before the first byte, early
// commit while the upstream is prefilling, and the stream translator in between.
import type { ConsolaInstance } from "consola";
import * as v from "valibot";
import type { AnthropicEvent, MessagesRequest } from "../protocol/anthropic.ts";
import { ChunkSchema } from "../protocol/openai.ts";
import { AnthropicError, mapStreamError, mapUpstreamError } from "../translate/errors.ts";
import { type IdFactory, randomId } from "../translate/ids.ts";
import { translateRequest } from "../translate/request.ts";
import { makeSigner } from "../translate/signature.ts";
import { StreamTranslator } from "../translate/stream.ts";
import { makeToolIndex } from "../translate/tool-index.ts";
import { estimateInputTokens } from "../translate/usage.ts";
import type { ServerProfile } from "./profiles.ts";
import { profileForModel } from "./profiles.ts";
import { describeServer } from "./describe.ts";
import { SERVERS } from "./servers.ts";
import { readSseData, StreamIdleError } from "./sse-reader.ts";
import type { Backend, BackendInfo, SendOptions } from "./types.ts";

export interface OpenAICompatibleOptions {
  profile: ServerProfile;
  baseUrl: string;
  apiKey?: string;
  logger: ConsolaInstance;
  /** Commit (200 + message_start) when the upstream has not answered after this long (§7.7). */
  commitAfterMs?: number;
  /** A stream that sends nothing for this long ends with overloaded_error. */
  idleTimeoutMs?: number;
  /** Attempts for connection errors and 429/503 before the first byte. */
  retries?: number;
  retryBaseMs?: number;
  ids?: IdFactory;
  sign?: (thinking: string) => string;
}

type Attempt = { ok: true; response: Response } | { ok: false; error: AnthropicError; clampMaxTokensTo?: number };

/** vLLM: "maximum context length is M tokens. However, you requested T tokens (P in the messages, C in the completion)". */
const COMPLETION_TOO_LONG = /maximum context length is (\d+) tokens.*?\((\d+) in the messages, (\d+) in the completion\)/s;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

export class OpenAICompatibleBackend implements Backend {
  readonly name: string;
  private readonly url: string;
  private readonly ids: IdFactory;
  private readonly sign: (thinking: string) => string;

  constructor(private readonly opts: OpenAICompatibleOptions) {
    this.name = opts.profile.name;
    this.url = opts.baseUrl.replace(/\/+$/, "");
    this.ids = opts.ids ?? randomId;
    this.sign = opts.sign ?? makeSigner();
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

  async *send(req: MessagesRequest, { model, signal, observe }: SendOptions): AsyncGenerator<AnthropicEvent> {
    const translateProfile = profileForModel(this.opts.profile, model);
    const { request, notes } = translateRequest(req, { model, profile: translateProfile });
    for (const note of notes) this.opts.logger.debug(note);
    const body = JSON.stringify(request);
    observe?.upstreamRequest(request);
    const translator = new StreamTranslator({
      model: req.model,
      tools: makeToolIndex(req.tools),
      estimatedInputTokens: estimateInputTokens(body.length),
      ids: this.ids,
      sign: this.sign,
      inlineThink: translateProfile.inlineThink,
      stopSequences: req.stop_sequences ?? undefined,
      note: (level, message) => this.opts.logger[level](message),
    });
    // Failures before commit become HTTP errors; after it, one error event ends the stream.
    const failure = (error: AnthropicError): AnthropicEvent[] => {
      if (!translator.committed) throw error;
      this.opts.logger.warn(`stream failed after commit: ${error.message}`);
      return translator.fail(error);
    };

    const pending = this.post(body, signal).then(async (first) => {
      // The prompt fits but max_tokens does not: ask again once with what the window leaves (§6.9).
      if (first.ok || !first.clampMaxTokensTo) return first;
      this.opts.logger.debug(`max_tokens ${request.max_tokens} does not fit; retrying with ${first.clampMaxTokensTo}`);
      request.max_tokens = first.clampMaxTokensTo;
      observe?.upstreamRequest(request);
      return this.post(JSON.stringify(request), signal);
    });
    const commitAfter = this.opts.commitAfterMs ?? 5000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const early = await Promise.race([
      pending,
      new Promise<"slow">((resolve) => (timer = setTimeout(() => resolve("slow"), commitAfter))),
    ]);
    clearTimeout(timer);
    if (early === "slow") {
      this.opts.logger.debug(`upstream silent for ${commitAfter} ms; committing the stream early`);
      yield* translator.commit();
    }
    const attempt = early === "slow" ? await pending : early;
    if (signal.aborted) return;
    if (!attempt.ok) return yield* failure(attempt.error);
    const response = attempt.response;
    observe?.upstreamResponse();

    try {
      // Trust the content type over what we asked for: some servers ignore `stream`.
      const contentType = response.headers.get("content-type") ?? "";
      const isSse = contentType.includes("text/event-stream") || (!contentType && request.stream);
      if (!isSse) {
        const text = await response.text();
        const parsed = v.safeParse(ChunkSchema, safeJson(text));
        if (!parsed.success) return yield* failure(new AnthropicError(502, "api_error", `${this.name}: unreadable response: ${text.slice(0, 200)}`));
        if (parsed.output.error) return yield* failure(mapStreamError(parsed.output.error, this.name));
        yield* translator.chunk(parsed.output);
        yield* translator.end();
        return;
      }
      if (!response.body) return yield* failure(new AnthropicError(502, "api_error", `${this.name}: empty response body`));
      for await (const data of readSseData(response.body, this.opts.idleTimeoutMs ?? 300_000)) {
        if (data.trim() === "[DONE]") break;
        const json = safeJson(data);
        const parsed = v.safeParse(ChunkSchema, json);
        if (!parsed.success) {
          return yield* failure(new AnthropicError(502, "api_error", `${this.name}: malformed stream chunk: ${data.slice(0, 200)}`));
        }
        const chunk = parsed.output;
        if (chunk.error) return yield* failure(mapStreamError(chunk.error, this.name));
        if (chunk.choices?.[0]?.finish_reason === "error") return yield* failure(mapStreamError({ message: "upstream reported finish_reason error" }, this.name));
        yield* translator.chunk(chunk);
        if (translator.stopped) break; // leaving the loop cancels the upstream body
      }
      yield* translator.end();
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof AnthropicError) return yield* failure(e);
      if (e instanceof StreamIdleError) return yield* failure(new AnthropicError(529, "overloaded_error", `${this.name}: ${e.message}`));
      return yield* failure(new AnthropicError(500, "api_error", `${this.name}: stream interrupted: ${describeError(e)}`));
    }
  }

  /** POST with retries before the first byte: connection errors, 429 and 503 only. */
  private async post(body: string, signal: AbortSignal): Promise<Attempt> {
    const retries = this.opts.retries ?? 2;
    const baseMs = this.opts.retryBaseMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let error: AnthropicError;
      let retryAfterMs = 0;
      // The idle limit also bounds the wait for response headers; once they arrive the body
      // reader takes over (readSseData). The local controller follows the client's signal.
      const attemptAbort = new AbortController();
      // Kept for the response's lifetime: a client disconnect must also stop the body.
      signal.addEventListener("abort", () => attemptAbort.abort(), { once: true });
      const idleMs = this.opts.idleTimeoutMs ?? 300_000;
      let timedOut = false;
      const headerTimer = setTimeout(() => {
        timedOut = true;
        attemptAbort.abort();
      }, idleMs);
      try {
        const response = await fetch(`${this.url}/chat/completions`, { method: "POST", headers: this.headers(), body, signal: attemptAbort.signal }).finally(() => clearTimeout(headerTimer));
        if (response.ok) return { ok: true, response };
        const headers = Object.fromEntries(response.headers);
        const text = await response.text().catch(() => "");
        error = mapUpstreamError(response.status, text, this.name, headers);
        const tooLong = response.status === 400 ? COMPLETION_TOO_LONG.exec(text) : null;
        if (tooLong) {
          const room = Number(tooLong[1]) - Number(tooLong[2]) - 1;
          if (room > 0 && Number(tooLong[3]) > room) return { ok: false, error, clampMaxTokensTo: room };
        }
        if (response.status !== 429 && response.status !== 503) return { ok: false, error };
        retryAfterMs = Number(headers["retry-after"]) * 1000 || 0;
      } catch (e) {
        if (signal.aborted) return { ok: false, error: new AnthropicError(500, "api_error", "client disconnected") };
        if (timedOut) return { ok: false, error: new AnthropicError(504, "timeout_error", `${this.name} sent no response within ${Math.round(idleMs / 1000)} s`) };
        error = new AnthropicError(500, "api_error", `${this.name} unreachable at ${this.url}: ${describeError(e)}`);
      }
      if (attempt >= retries || retryAfterMs > 10_000) return { ok: false, error };
      const delay = Math.max(retryAfterMs, baseMs * 2 ** attempt);
      this.opts.logger.debug(`retrying upstream in ${delay} ms: ${error.message}`);
      await sleep(delay, signal);
      if (signal.aborted) return { ok: false, error };
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: string }).code;
    return code ? `${code} (${e.message})` : e.message;
  }
  return String(e);
}
