// The Hono app: HTTP → validate → route → backend → SSE. Knows no backend wire format.
import type { ConsolaInstance } from "consola";
import { Hono } from "hono";
import type { Backend, ClientRequest } from "../backends/types.ts";
import { applyContextPolicy, type ContextPolicy } from "../context/guard.ts";
import { countRequest } from "../context/request-tokens.ts";
import { localCounter, type TextCounter } from "../context/text-counter.ts";
import { CountTokensRequestSchema, type MessagesRequest } from "../protocol/anthropic.ts";
import { onClientGone } from "../runtime/client-gone.ts";
import { requestBytes } from "../runtime/request-bytes.ts";
import { type IdFactory, randomId } from "../translate/ids.ts";
import { tapEvents, type TraceRecorder } from "../trace/recorder.ts";
import { anthropicError, asAnthropicError, errorResponse } from "./errors.ts";
import { answerMessage, answerStream, oneEventPerBatch } from "./respond.ts";
import { requestSizeLimit } from "./body-limit.ts";
import { type Routing, routeModel } from "./routing.ts";
import { browserOrigin, checkAccess, corsHeaders } from "./access.ts";
import { type ReadBody, RequestValidator } from "./request-validator.ts";
import { parseJsonBody, unknownFields, validate } from "./validate.ts";

export interface AppDeps {
  backend: Backend;
  routing: Routing;
  logger: ConsolaInstance;
  /** Anthropic rejects bodies over 32 MB; we do the same. */
  bodyLimitBytes?: number;
  /** Keep-alive `ping` while the upstream is silent. */
  pingIntervalMs?: number;
  /** When set, every request must carry this key (x-api-key or Bearer). */
  requiredApiKey?: string;
  /** Refuse requests whose Host is not a loopback name (DNS-rebinding guard). */
  loopbackHostOnly?: boolean;
  /** Browser origins allowed to call the proxy; any other request carrying an Origin is refused. */
  allowedOrigins?: readonly string[];
  /** The backend's context window, when known, and what to do when a prompt exceeds it. */
  context?: ContextPolicy;
  /** Counts tokens for the context check and count_tokens (default: gpt-tokenizer's o200k_base). */
  counter?: TextCounter;
  /** Records every exchange when traces are on. */
  traces?: TraceRecorder;
  ids?: IdFactory;
}

type Env = { Variables: { requestId: string } };

export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

export function createApp(deps: AppDeps): Hono<Env> {
  const { backend, logger } = deps;
  const ids = deps.ids ?? randomId;
  const counter = deps.counter ?? localCounter();
  const app = new Hono<Env>();
  const validator = new RequestValidator();

  app.use(async (c, next) => {
    const id = ids("req");
    c.set("requestId", id);
    c.header("request-id", id);
    // An allowed page may read every answer, refusals included.
    const browser = browserOrigin(c.req.raw.headers, deps);
    if (browser?.allowed) for (const [k, v] of Object.entries(corsHeaders(browser.origin))) c.header(k, v);
    const denied = checkAccess(c.req.method, c.req.raw.headers, deps);
    if (denied) return errorResponse(c, denied);
    if (browser && c.req.method === "OPTIONS") return c.body(null, 204);
    await next();
  });

  app.onError((e, c) => {
    const error = asAnthropicError(e);
    if (error !== e) logger.error(`unhandled error on ${c.req.path}: ${error.message}`);
    else logger.debug(`${c.req.path}: ${error.status} ${error.message}`);
    return errorResponse(c, error);
  });
  app.notFound((c) => errorResponse(c, anthropicError("not_found_error", `no route for ${c.req.method} ${c.req.path}`)));

  const maxBody = deps.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const limit = requestSizeLimit(maxBody, (c) => errorResponse(c, anthropicError("request_too_large", `request body exceeds ${maxBody} bytes`)));

  app.get("/health", (c) => c.json({ ok: true, backend: backend.name }));

  app.get("/v1/models", async (c) => {
    const info = await backend.describe(c.req.raw.signal).catch((e) => {
      throw asAnthropicError(e);
    });
    return c.json({
      data: info.models.map((m) => ({ type: "model", id: m.id, display_name: m.id, created_at: "1970-01-01T00:00:00Z" })),
      has_more: false,
      first_id: info.models[0]?.id ?? null,
      last_id: info.models.at(-1)?.id ?? null,
    });
  });

  app.post("/v1/messages", limit, async (c) => {
    // Bytes, not text: what the validator remembers (tool list, system prompt, a conversation's
    // first messages) is compared as bytes and never decoded.
    const read = validator.read(await requestBytes(c).catch((e: unknown) => rethrowUnlessGone(e, c.req.raw.signal)));
    const { body, request: validated } = read;
    const extra = unknownFields(body as object);
    if (extra.length) logger.debug(`ignoring unknown request fields: ${extra.join(", ")}`);
    // The server's loaded model (when followed) decides both the model and the window.
    const loaded = await deps.routing.loaded?.();
    const model = routeModel(validated.model, deps.routing, loaded?.id);
    const policy = loaded?.contextWindow ? { truncate: false, ...deps.context, window: loaded.contextWindow } : deps.context;
    const decision = policy ? await applyContextPolicy(validated, read.chars, policy, counter, logger) : { request: validated, warnings: [] };
    const req = decision.request;
    logger.debug(`${c.get("requestId")} ${req.model} → ${backend.name}:${model} stream=${req.stream === true}`);

    // Client disconnect aborts the upstream request.
    const abort = new AbortController();
    onClientGone(c, abortWith(abort)); // at once if gone since it sent its body (loaded model asked, prompt counted)
    const client = clientRequest(validated, read, c.req.raw.headers, deps.requiredApiKey);
    const exchange = deps.traces?.begin({ id: c.get("requestId"), request: req, headers: c.req.raw.headers, backendModel: model });
    for (const w of decision.warnings) exchange?.warn(w);
    const observe = exchange && { upstreamRequest: (b: unknown) => exchange.onUpstreamRequest(b), upstreamResponse: () => exchange.onUpstreamResponse() };
    // An upstream overflow without numbers is answered with ours: this request's count and the window.
    const overflow = { promptTokens: async () => (await countRequest(req, counter)).total, ...(policy ? { contextWindow: policy.window } : {}) };
    const sendOpts = { model, signal: abort.signal, client, ...(observe ? { observe } : {}), ...overflow };
    const sent = (backend.sendBatches ? backend.sendBatches(req, sendOpts) : oneEventPerBatch(backend.send(req, sendOpts)))[Symbol.asyncIterator]();
    const batches = exchange ? tapEvents(sent, exchange) : sent;
    if (req.stream) return answerStream(c, batches, abort, { pingIntervalMs: deps.pingIntervalMs ?? 10_000, logger });
    return answerMessage(c, batches, abort);
  });

  app.post("/v1/messages/count_tokens", limit, async (c) => {
    const req = validate(CountTokensRequestSchema, parseJsonBody(await c.req.text()));
    return c.json({ input_tokens: (await countRequest(req, counter)).total });
  });

  return app;
}

/**
 * A client that leaves mid-body (Esc while a large request is sent) is no fault of ours and nobody is
 * left to answer: logged as a refusal (debug), not as an unhandled error. Any other failure to read,
 * such as Hono's limit on a chunked body, goes on as it was thrown.
 */
function rethrowUnlessGone(e: unknown, signal: AbortSignal): never {
  if (signal.aborted) throw anthropicError("invalid_request_error", "the client closed the connection before its request body arrived");
  throw e;
}

/**
 * The client-disconnect hook holds the controller alone: a closure made in the handler would hold
 * its whole scope (the parsed request, its body text) for as long as the hook lives, and under
 * Node 20 that is until a full collection (Hono keeps the Context with the SSE stream).
 */
const abortWith = (abort: AbortController) => () => abort.abort();

/**
 * The request as the client sent it, for backends that forward it; the proxy's own key stays here.
 * Its text is decoded only when a backend asks for it (only the Anthropic backend does).
 */
function clientRequest(request: MessagesRequest, read: ReadBody, headers: Headers, proxyKey: string | undefined): ClientRequest {
  const version = headers.get("anthropic-version");
  const betas = headers.get("anthropic-beta");
  const authorization = proxyKey ? null : headers.get("authorization");
  return {
    request,
    get body() {
      return read.text();
    },
    ...(version ? { version } : {}),
    ...(betas ? { betas } : {}),
    ...(authorization ? { authorization } : {}),
  };
}
