// One decoder for both answers a server may give: a JSON body or an SSE stream. Either way the
// translator loop sees the same items, so JSON and SSE share one code path (protocol.md §7.1).
import { readerOf } from "../runtime/byte-stream.ts";
import type { PostResponse } from "../runtime/http-post.ts";
import { checkChunk } from "../protocol/chunk-check.ts";
import type { Chunk } from "../protocol/openai.ts";
import { type AnthropicError, anthropicError, mapStreamError } from "../translate/errors.ts";
import { bodyText } from "./body-text.ts";
import { ChunkTemplates } from "./chunk-template.ts";
import { readSseBatches, type SseMessage } from "./sse-reader.ts";

export type Decoded =
  | { kind: "chunk"; chunk: Chunk }
  | { kind: "error"; error: AnthropicError }
  /** The body ended. `complete`: a JSON body, or a stream that sent [DONE]. */
  | { kind: "end"; complete: boolean };

export interface DecodeOptions {
  backend: string;
  idleMs: number;
  /** What we asked for: the answer when a server sends no content type. */
  streamRequested: boolean;
  /**
   * The first chunk of a stream for which this holds (the answer's first text, reasoning or tool
   * call) ends its batch, and the rest of that read follows as the next one: a fast server's first
   * read often holds the whole start of an answer, whose decoding and translation would otherwise
   * come before the client sees any of it.
   */
  firstOutput?: (chunk: Chunk) => boolean;
}

/**
 * The items of each network read together (one batch per read); the stream stops after an
 * `error` or `end` item, which is always the last of its batch.
 */
export async function* decodeBatches(response: PostResponse, opts: DecodeOptions): AsyncGenerator<Decoded[]> {
  // Trust the content type over what we asked for: some servers ignore `stream`.
  const contentType = response.headers.get("content-type") ?? "";
  const isSse = contentType.includes("text/event-stream") || (!contentType && opts.streamRequested);
  if (!isSse) {
    const text = await bodyText(response, opts.idleMs);
    yield [readPayload(text, opts.backend, "unreadable response"), { kind: "end", complete: true }];
    return;
  }
  if (!response.body) {
    yield [{ kind: "error", error: anthropicError("api_error", `${opts.backend}: empty response body`) }];
    return;
  }
  const templates = new ChunkTemplates();
  // Plain data messages are decoded as the reader cuts them, in order (a template learnt from one
  // serves the next in the same read); only messages of other shapes come out as SseMessages.
  const readData = (s: string, from: number, to: number): Decoded => {
    const chunk = templates.matchIn(s, from, to);
    return chunk ? { kind: "chunk", chunk } : readUnmatched({ event: "message", data: s.slice(from, to) }, opts.backend, templates);
  };
  const reader = readerOf(response.body);
  let firstOutput = opts.firstOutput;
  for await (const messages of readSseBatches(reader, opts.idleMs, readData)) {
    let batch: Decoded[] = [];
    for (const message of messages) {
      const item = "kind" in message ? message : readMessage(message, opts.backend, templates);
      batch.push(item);
      if (item.kind !== "chunk") {
        // [DONE]: the server is done; the end of its body may still be on its way (keep the connection).
        if (item.kind === "end") reader.release();
        yield batch;
        return;
      }
      if (firstOutput?.(item.chunk)) {
        firstOutput = undefined;
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  yield [{ kind: "end", complete: false }];
}

/** One SSE message. `templates`: this stream's (the fast path for chunks like the last one). */
export function readMessage(message: SseMessage, backend: string, templates: ChunkTemplates): Decoded {
  if (message.event !== "error") {
    // A template's chunk passed every check of readPayload: only its one delta string differs. Never
    // [DONE]: a template's text holds a quote.
    const fast = templates.match(message.data);
    if (fast) return { kind: "chunk", chunk: fast };
  }
  return readUnmatched(message, backend, templates);
}

/** readMessage for a message the templates did not match. */
function readUnmatched(message: SseMessage, backend: string, templates: ChunkTemplates): Decoded {
  if (message.data.trim() === "[DONE]") return { kind: "end", complete: true };
  if (message.event === "error") {
    // `event: error` frames and llama.cpp's `error:` lines: the payload is the error itself or wraps it.
    const json = safeJson(message.data);
    const inner = typeof json === "object" && json !== null && "error" in json ? (json as { error: unknown }).error : (json ?? message.data);
    return { kind: "error", error: mapStreamError(inner, backend) };
  }
  const item = readPayload(message.data, backend, "malformed stream chunk");
  if (item.kind === "chunk") templates.learn(message.data, item.chunk);
  return item;
}

/** One JSON payload: a chunk, or the error it carries (an `error` field, or `finish_reason: "error"`). */
function readPayload(text: string, backend: string, what: string): Decoded {
  const json = safeJson(text);
  // vLLM before 0.10 streams its ErrorResponse as is: {"object":"error","message":…,"code":…}.
  if (typeof json === "object" && json !== null && (json as { object?: unknown }).object === "error")
    return { kind: "error", error: mapStreamError(json, backend) };
  // By hand, not valibot: this runs for every chunk (checkChunk agrees with ChunkSchema).
  const chunk = checkChunk(json);
  if (!chunk) return { kind: "error", error: anthropicError("api_error", `${backend}: ${what}: ${text.slice(0, 200)}`) };
  if (chunk.error != null) return { kind: "error", error: mapStreamError(chunk.error, backend) };
  // OpenRouter also puts a provider's failure on the choice (docs "Responses": choices[].error?:
  // ErrorResponse), with finish_reason "error", or "stop" and native_finish_reason "error".
  const choiceError = (chunk.choices?.[0] as { error?: unknown } | undefined)?.error;
  if (typeof choiceError === "object" && choiceError !== null) return { kind: "error", error: mapStreamError(choiceError, backend) };
  const finish = chunk.choices?.[0]?.finish_reason;
  if (finish === "error") return { kind: "error", error: mapStreamError({ message: "upstream reported finish_reason error" }, backend) };
  // vLLM ends a request its engine aborted with finish_reason "abort": a cut answer, not a finished one.
  if (finish === "abort") return { kind: "error", error: mapStreamError({ message: "the server aborted the answer (finish_reason abort)" }, backend) };
  return { kind: "chunk", chunk };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
