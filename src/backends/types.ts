// The contract between the server and every upstream (architecture.md "Contracts").
import type { AnthropicEvent, MessagesRequest } from "../protocol/anthropic.ts";

export interface ModelInfo {
  id: string;
  contextWindow?: number;
}

export interface BackendInfo {
  name: string;
  baseUrl: string;
  models: ModelInfo[];
  /** The context window of the configured model, when the server tells us. */
  contextWindow?: number;
}

export interface SendOptions {
  /** Backend model chosen by routing. */
  model: string;
  signal: AbortSignal;
  /** The request as received, for passthrough backends that forward bytes unchanged. */
  raw?: { body: string; headers: Headers };
  /** Told what went upstream and when it answered (traces). */
  observe?: UpstreamObserver;
}

export interface UpstreamObserver {
  upstreamRequest(body: unknown): void;
  upstreamResponse(): void;
}

export interface Backend {
  readonly name: string;
  /** Models and, for `model` (default: the first listed), the context window when the server tells it. */
  describe(signal: AbortSignal, model?: string): Promise<BackendInfo>;
  /**
   * Yields Anthropic events for one request. Throws AnthropicError before the first event for
   * failures that must become an HTTP status; after that, failures arrive as one `error` event.
   */
  send(req: MessagesRequest, opts: SendOptions): AsyncIterable<AnthropicEvent>;
}
