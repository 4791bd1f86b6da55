// Passthrough to an Anthropic-format upstream: the real API (`claude` mode, bytes unchanged when
// clean) or a local server's native /v1/messages (cleaned up first).
import type { ConsolaInstance } from "consola";
import type { AnthropicEvent, Message, MessagesRequest } from "../protocol/anthropic.ts";
import { AnthropicError, mapUpstreamError } from "../translate/errors.ts";
import { messageToEvents } from "../translate/message-events.ts";
import { prepareForNativeBackend, sanitizeForAnthropic } from "../translate/passthrough.ts";
import { readSseData, StreamIdleError } from "./sse-reader.ts";
import type { Backend, BackendInfo, SendOptions } from "./types.ts";

export interface AnthropicBackendOptions {
  name: string;
  baseUrl: string;
  /** The user's own key; without it the client's Authorization header (Claude Code login) is forwarded. */
  apiKey?: string;
  /** true: the real Anthropic API (keep model and betas); false: a local server's native endpoint. */
  official: boolean;
  logger: ConsolaInstance;
  idleTimeoutMs?: number;
}

const FORWARDED = ["anthropic-version", "anthropic-beta", "content-type", "accept"];

export class AnthropicBackend implements Backend {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly opts: AnthropicBackendOptions) {
    this.name = opts.name;
    this.url = opts.baseUrl.replace(/\/+$/, "");
  }

  private headers(client?: Headers): Record<string, string> {
    const out: Record<string, string> = { "content-type": "application/json", "anthropic-version": "2023-06-01" };
    for (const h of FORWARDED) {
      const value = client?.get(h);
      if (value) out[h] = value;
    }
    // Non-Anthropic servers may reject betas they do not know ("Unexpected beta header").
    if (!this.opts.official) delete out["anthropic-beta"];
    if (this.opts.apiKey) out["x-api-key"] = this.opts.apiKey;
    else {
      const auth = client?.get("authorization");
      if (auth) out.authorization = auth;
    }
    return out;
  }

  async describe(signal: AbortSignal): Promise<BackendInfo> {
    const res = await fetch(`${this.url}/v1/models`, { headers: this.headers(), signal });
    if (!res.ok) throw mapUpstreamError(res.status, await res.text(), this.name);
    const body = (await res.json()) as { data?: { id: string }[] };
    return { name: this.name, baseUrl: this.url, models: (body.data ?? []).map((m) => ({ id: m.id })) };
  }

  async *send(req: MessagesRequest, { model, signal, raw, observe }: SendOptions): AsyncGenerator<AnthropicEvent> {
    const parsed = raw ? (JSON.parse(raw.body) as Record<string, unknown>) : (req as Record<string, unknown>);
    let body: string;
    if (this.opts.official) {
      const clean = sanitizeForAnthropic(parsed);
      body = clean ? JSON.stringify(clean) : (raw?.body ?? JSON.stringify(parsed));
      if (clean) this.opts.logger.debug("removed local-model artefacts before forwarding to Anthropic");
    } else body = JSON.stringify(prepareForNativeBackend(parsed, model));

    if (observe) observe.upstreamRequest(JSON.parse(body));
    let response: Response;
    try {
      response = await fetch(`${this.url}/v1/messages`, { method: "POST", headers: this.headers(raw?.headers), body, signal });
      observe?.upstreamResponse();
    } catch (e) {
      if (signal.aborted) return;
      throw new AnthropicError(500, "api_error", `${this.name} unreachable at ${this.url}: ${(e as Error).message}`);
    }
    if (!response.ok) {
      const text = await response.text();
      const upstream = safeError(text);
      const headers = Object.fromEntries(response.headers);
      // An Anthropic error is already in the right shape: keep its type and message.
      if (upstream) throw new AnthropicError(response.status, upstream.type, upstream.message, pick(headers, ["retry-after"]));
      throw mapUpstreamError(response.status, text, this.name, headers);
    }
    if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      yield* messageToEvents((await response.json()) as Message);
      return;
    }
    let committed = false;
    let ended = false;
    try {
      for await (const data of readSseData(response.body!, this.opts.idleTimeoutMs ?? 300_000)) {
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
          ? new AnthropicError(529, "overloaded_error", `${this.name}: ${e.message}`)
          : new AnthropicError(500, "api_error", `${this.name}: stream interrupted: ${(e as Error).message}`);
      if (!committed) throw error;
      yield { type: "error", error: error.body };
      return;
    }
    if (!ended && !signal.aborted) {
      const error = new AnthropicError(500, "api_error", `${this.name}: stream ended before message_stop`);
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
