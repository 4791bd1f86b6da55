// Records one file per exchange: the Anthropic request, the upstream request as sent, the
// response folded into a message, and timings. Redacted, owner-only, written off the hot path;
// a failing disk costs a warning, never a request.
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConsolaInstance } from "consola";
import type { AnthropicEvent, Message, MessagesRequest } from "../protocol/anthropic.ts";
import { MessageFolder } from "../translate/fold.ts";
import { redactHeaders, redactValue } from "./redact.ts";
import { serializeTrace } from "./serialize.ts";
import { ensurePrivateDir, type Trace } from "./store.ts";

export interface RecorderOptions {
  root: string;
  mode: string;
  logger: ConsolaInstance;
  /** Cap on one trace file (default MAX_TRACE_BYTES). */
  maxBytes?: number;
}

export interface ExchangeStart {
  id: string;
  request: MessagesRequest;
  headers: Headers;
  backendModel: string;
}

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(".", "");

function sessionOf(req: MessagesRequest, headers: Headers): string | null {
  const header = headers.get("x-claude-code-session-id");
  if (header) return header;
  try {
    return (JSON.parse(req.metadata?.user_id ?? "") as { session_id?: string }).session_id ?? null;
  } catch {
    return null;
  }
}

export class TraceRecorder {
  private warned = false;
  constructor(private readonly opts: RecorderOptions) {}

  begin(start: ExchangeStart): Exchange {
    return new Exchange(this, start);
  }

  /** Called once per exchange, after the response is complete. */
  write(trace: Trace): void {
    const dir = join(this.opts.root, this.opts.mode);
    const file = join(dir, `${stamp(trace.timings.received)}-${trace.id}.json`);
    // Not awaited: the client already has its answer.
    void (async () => {
      ensurePrivateDir(this.opts.root);
      ensurePrivateDir(dir);
      // Written aside, then renamed: `trace list` and friends never read a half-written file.
      const partial = `${file}.partial`;
      await writeFile(partial, serializeTrace(trace, this.opts.maxBytes), { mode: 0o600 });
      await rename(partial, file);
    })().catch((e: Error) => {
      if (this.warned) return;
      this.warned = true; // once: a full disk should not flood the log
      this.opts.logger.warn(`could not write traces to ${dir}: ${e.message} (requests are unaffected)`);
    });
  }

  get mode(): string {
    return this.opts.mode;
  }
}

export class Exchange {
  private readonly received = Date.now();
  private upstreamRequest: unknown;
  private upstreamFirstByte: number | null = null;
  private firstToken: number | null = null;
  private lastToken: number | null = null;
  private readonly folder = new MessageFolder();
  private readonly warnings: string[] = [];
  private error: { type: string; message: string } | null = null;
  private done = false;

  constructor(
    private readonly recorder: TraceRecorder,
    private readonly start: ExchangeStart,
  ) {}

  onUpstreamRequest(body: unknown): void {
    this.upstreamRequest = body;
  }

  onUpstreamResponse(): void {
    this.upstreamFirstByte ??= Date.now();
  }

  warn(text: string): void {
    this.warnings.push(text);
  }

  event(ev: AnthropicEvent): void {
    if (ev.type === "content_block_delta") {
      this.lastToken = Date.now();
      this.firstToken ??= this.lastToken;
    }
    if (ev.type === "error") this.error = ev.error;
    try {
      if (ev.type !== "error") this.folder.add(ev);
    } catch {
      // A malformed sequence is the translator's bug to report, not the recorder's.
    }
  }

  fail(error: { type: string; message: string }): void {
    this.error = error;
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    let response: Message | undefined;
    try {
      response = this.folder.result();
    } catch {
      response = undefined;
    }
    const { request, headers, id, backendModel } = this.start;
    this.recorder.write({
      version: 1,
      id,
      mode: this.recorder.mode,
      session: sessionOf(request, headers),
      model: request.model,
      backendModel,
      stream: request.stream === true,
      request: redactValue(request) as Trace["request"],
      requestHeaders: redactHeaders(headers),
      upstreamRequest: redactValue(this.upstreamRequest),
      response: redactValue(response),
      error: this.error ?? (response ? null : { type: "aborted", message: "the client went away before the response completed" }),
      warnings: this.warnings,
      timings: { received: this.received, upstreamFirstByte: this.upstreamFirstByte, firstToken: this.firstToken, lastToken: this.lastToken, finished: Date.now() },
      usage: response ? { ...response.usage } : null,
    });
  }
}

/** Passes event batches through unchanged while the exchange watches them; finishes on any ending. */
export async function* tapEvents(batches: AsyncIterator<AnthropicEvent[]>, exchange: Exchange): AsyncGenerator<AnthropicEvent[]> {
  try {
    for (let r = await batches.next(); !r.done; r = await batches.next()) {
      for (const ev of r.value) exchange.event(ev);
      yield r.value;
    }
  } catch (e) {
    exchange.fail({ type: (e as { type?: string }).type ?? "api_error", message: (e as Error).message });
    throw e;
  } finally {
    await batches.return?.();
    exchange.finish();
  }
}
