// Passthrough to an Anthropic-format upstream: the real API (`claude` mode, bytes unchanged when
// clean) or a local server's native /v1/messages (cleaned up first). Whether the client's bytes
// can be forwarded is decided here, not in the server.
import type { ConsolaInstance } from "consola";
import { type AnthropicEvent, type Message, type MessagesRequest, toWire } from "../protocol/anthropic.ts";
import { AnthropicError, anthropicError, idleError, mapUpstreamError } from "../translate/errors.ts";
import { messageToEvents } from "../translate/message-events.ts";
import { prepareForNativeBackend, sanitizeForAnthropic } from "../translate/passthrough.ts";
import { HeaderTimeoutError, httpPost, type PostResponse } from "../runtime/http-post.ts";
import { bodyText } from "./body-text.ts";
import { DEFAULT_IDLE_TIMEOUT_MS, readSseData, StreamIdleError } from "./sse-reader.ts";
import { describeServer } from "./describe.ts";
import type { ServerEntry } from "./servers.ts";
import { retryHeaders } from "./transport.ts";
import type { Backend, BackendInfo, ClientRequest, SendOptions } from "./types.ts";

export interface AnthropicBackendOptions {
  name: string;
  baseUrl: string;
  /** The user's own key; without it (claude mode) the client's own credential (Claude Code login) is forwarded. */
  apiKey?: string;
  /** true: the real Anthropic API (keep model and betas); false: a local server's native endpoint. */
  official: boolean;
  /** A local server's registry entry: how it lists models and tells its window. */
  server?: ServerEntry;
  logger: ConsolaInstance;
  idleTimeoutMs?: number;
}

export class AnthropicBackend implements Backend {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly opts: AnthropicBackendOptions) {
    this.name = opts.name;
    this.url = opts.baseUrl.replace(/\/+$/, "");
  }

  private headers(client?: ClientRequest): Record<string, string> {
    const out: Record<string, string> = { "content-type": "application/json", "anthropic-version": client?.version ?? "2023-06-01" };
    // Non-Anthropic servers may reject betas they do not know ("Unexpected beta header").
    if (this.opts.official && client?.betas) out["anthropic-beta"] = client.betas;
    if (this.opts.apiKey) out["x-api-key"] = this.opts.apiKey;
    // Only the real API gets the client's login; a local server needs none and must not see it.
    else if (this.opts.official && client?.authorization) out.authorization = client.authorization;
    return out;
  }

  async describe(signal: AbortSignal, model?: string): Promise<BackendInfo> {
    if (!this.opts.official) {
      // A local server's native endpoint: its OpenAI-style listing and window probes tell the same facts.
      return describeServer({ name: this.name, baseUrl: `${this.url}/v1`, server: this.opts.server, headers: this.headers(), signal, ...(model ? { model } : {}) });
    }
    const res = await fetch(`${this.url}/v1/models`, { headers: this.headers(), signal });
    if (!res.ok) throw mapUpstreamError(res.status, await res.text(), this.name);
    const body = (await res.json()) as { data?: { id: string }[] };
    return { name: this.name, baseUrl: this.url, models: (body.data ?? []).map((m) => ({ id: m.id })) };
  }

  async *send(req: MessagesRequest, { model, signal, client, observe }: SendOptions): AsyncGenerator<AnthropicEvent> {
    // The client's bytes go out unchanged only to the real API, and only when nothing changed the
    // request: prompt-cache hits depend on them. Everything else is rebuilt from the one parse.
    const unchanged = client?.request === req;
    const wire = toWire(req);
    let upstream: Record<string, unknown>;
    let body: string;
    if (this.opts.official) {
      const clean = sanitizeForAnthropic(wire);
      if (clean) this.opts.logger.debug("removed local-model artefacts before forwarding to Anthropic");
      upstream = clean ?? wire;
      body = !clean && unchanged && client ? client.body : JSON.stringify(upstream);
    } else {
      upstream = prepareForNativeBackend(wire, model);
      body = JSON.stringify(upstream);
    }

    observe?.upstreamRequest(upstream);
    const idleMs = this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    let response: PostResponse;
    try {
      // Bounded like the body: a server that takes the request and never answers must not hold it for ever.
      response = await httpPost(`${this.url}/v1/messages`, { headers: this.headers(client), body, signal, headerTimeoutMs: idleMs });
      observe?.upstreamResponse();
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof HeaderTimeoutError) throw anthropicError("timeout_error", `${this.name} sent no response within ${Math.round(idleMs / 1000)} s`);
      throw anthropicError("api_error", `${this.name} unreachable at ${this.url}: ${(e as Error).message}`);
    }
    if (!response.ok) {
      const text = await bodyText(response, idleMs).catch(() => "");
      const known = safeError(text);
      const headers = retryHeaders(response);
      // An Anthropic error is already in the right shape: keep its type and message.
      if (known) throw new AnthropicError(response.status, known.type, known.message, pick(headers, ["retry-after"]));
      throw mapUpstreamError(response.status, text, this.name, headers);
    }
    if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      let text: string;
      try {
        text = await bodyText(response, idleMs);
      } catch (e) {
        if (signal.aborted) return;
        throw e instanceof StreamIdleError ? idleError(this.name, e.idleMs) : anthropicError("api_error", `${this.name}: ${(e as Error).message}`);
      }
      yield* messageToEvents(JSON.parse(text) as Message);
      return;
    }
    let committed = false;
    let ended = false;
    try {
      for await (const data of readSseData(response.body!, idleMs)) {
        const event = JSON.parse(data) as AnthropicEvent;
        committed = true;
        yield event;
        if (event.type === "message_stop" || event.type === "error") {
          ended = true;
          return;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      const error =
        e instanceof StreamIdleError
          ? idleError(this.name, e.idleMs)
          : anthropicError("api_error", `${this.name}: stream interrupted: ${(e as Error).message}`);
      if (!committed) throw error;
      yield { type: "error", error: error.body };
      return;
    }
    if (!ended && !signal.aborted) {
      const error = anthropicError("api_error", `${this.name}: stream ended before message_stop`);
      if (!committed) throw error;
      yield { type: "error", error: error.body };
    }
  }
}

function safeError(text: string): { type: AnthropicError["type"]; message: string } | null {
  try {
    const body = JSON.parse(text) as { type?: string; error?: { type?: string; message?: string } };
    if (body.type === "error" && body.error?.type && body.error.message) return body.error as { type: AnthropicError["type"]; message: string };
  } catch {}
  return null;
}

const pick = (o: Record<string, string>, keys: string[]) => Object.fromEntries(keys.filter((k) => o[k]).map((k) => [k, o[k]!]));
