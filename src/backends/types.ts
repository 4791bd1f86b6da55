// The contract between the server and every upstream (architecture.md "Contracts").
import type { AnthropicEvent, MessagesRequest } from "../protocol/anthropic.ts";
import type { ContextWindow } from "./context-probes.ts";

export interface ModelInfo {
  id: string;
  /** The window the server runs the model with (its loaded context, or the only one it serves). */
  contextWindow?: number;
  /** The model's own maximum, when the server lists it apart from the served window. */
  maxContextWindow?: number;
  /** true: in memory now; false: the server says it is only downloaded; undefined: it does not say. */
  loaded?: boolean;
  kind?: "llm" | "vlm" | "embeddings";
}

export interface BackendInfo {
  name: string;
  baseUrl: string;
  models: ModelInfo[];
  /** The window of the described model (the requested one, else the preferred one), when the server tells it. */
  window?: ContextWindow;
}

export interface SendOptions {
  /** Backend model chosen by routing. */
  model: string;
  signal: AbortSignal;
  /** The request as the client sent it, for a backend that forwards it (Anthropic passthrough). */
  client?: ClientRequest;
  /** The model's context window when known: the M of "prompt is too long: N tokens > M maximum". */
  contextWindow?: number;
  /** Counts this request's prompt (the N), only when an upstream overflow comes without numbers. */
  promptTokens?: () => Promise<number>;
  /** Told what went upstream and when it answered (traces). */
  observe?: UpstreamObserver;
}

/** What the client sent, before anything changed it. Forwarding decisions belong to the backend. */
export interface ClientRequest {
  /** The validated request; `send` gets this very object when nothing (the context stage) changed it. */
  request: MessagesRequest;
  /** Its body bytes as received. */
  body: string;
  /** anthropic-version and anthropic-beta as sent. */
  version?: string;
  betas?: string;
  /** The client's own credential (a Claude Code login); never the proxy's per-launch key. */
  authorization?: string;
}

export interface UpstreamObserver {
  upstreamRequest(body: unknown): void;
  upstreamResponse(): void;
}

export interface Backend {
  readonly name: string;
  /** Models and, for `model` (default: the preferred one), the context window when the server tells it. */
  describe(signal: AbortSignal, model?: string): Promise<BackendInfo>;
  /**
   * Yields Anthropic events for one request. Throws AnthropicError before the first event for
   * failures that must become an HTTP status; after that, failures arrive as one `error` event.
   */
  send(req: MessagesRequest, opts: SendOptions): AsyncIterable<AnthropicEvent>;
  /**
   * The same events, grouped as they became ready (one group per upstream read), so the server
   * writes each group at once. Backends without it are served one event per group.
   */
  sendBatches?(req: MessagesRequest, opts: SendOptions): AsyncIterable<AnthropicEvent[]>;
}
