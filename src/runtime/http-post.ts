// POST to an upstream. On Bun this is fetch. On Node, fetch (undici) costs several times what
// node:http does for the same exchange (a 40 KB body is written through a stream of its own, every
// response goes through its fetch machinery): there the request goes out with node:http and the
// answer is read from the IncomingMessage itself (node-response.ts), with no web stream or
// Response built over it. Callers see one small API on both runtimes (PostResponse).
import type { IncomingMessage, RequestOptions } from "node:http";
import type { ByteStream } from "./byte-stream.ts";
import { NodeResponse } from "./node-response.ts";
import { Utf8Encoder } from "./utf8-encoder.ts";

export interface PostInit {
  headers: Record<string, string>;
  /** Bytes as they are; a string is sent as UTF-8. */
  body: string | Uint8Array;
  /** Aborts the request, and the response body while it is read (the client went away). */
  signal: AbortSignal;
  /** No response headers within this long: the request is closed and the POST fails with HeaderTimeoutError. */
  headerTimeoutMs: number;
  /**
   * Called (once or more) when the body's bytes are read no more and may be written again: when
   * fetch settles under Bun (it copies them), at the request's finish or close under Node.
   */
  bodyDone?: () => void;
}

/** What callers read of an upstream's answer: a fetch Response is one. */
export interface PostResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** null when the status has no body. */
  readonly body: ByteStream | null;
}

export class HeaderTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`no response headers within ${ms} ms`);
  }
}

export function httpPost(url: string, init: PostInit): Promise<PostResponse> {
  if (typeof Bun !== "undefined") return fetchPost(url, init);
  return nodePost(url, init);
}

/** fetch takes one signal: the client's and the header timer's are joined in one of its own. */
async function fetchPost(url: string, { headers, body, signal, headerTimeoutMs, bodyDone }: PostInit): Promise<Response> {
  const attempt = new AbortController();
  // Kept for the response's lifetime: a client disconnect must also stop the body.
  signal.addEventListener("abort", () => attempt.abort(), { once: true });
  if (signal.aborted) attempt.abort(); // as nodePost: nothing is sent for a client already gone
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    attempt.abort();
  }, headerTimeoutMs);
  try {
    return await fetch(url, { method: "POST", headers, body, signal: attempt.signal });
  } catch (e) {
    throw timedOut && !signal.aborted ? new HeaderTimeoutError(headerTimeoutMs) : e;
  } finally {
    clearTimeout(timer);
    bodyDone?.();
  }
}

type NodeHttp = { http: typeof import("node:http"); https: typeof import("node:https"); utf8: Utf8Encoder };
/** Loaded on the first POST (never under Bun), then reused: no module lookup per request. */
let nodeHttp: Promise<NodeHttp> | undefined;
const loadNodeHttp = () => (nodeHttp ??= Promise.all([import("node:http"), import("node:https")]).then(([http, https]) => ({ http, https, utf8: new Utf8Encoder() })));

/** The last URL's request target: a backend posts to one URL, parsed (new URL, urlToHttpOptions) once. */
let lastTarget: { url: string; options: RequestOptions } | undefined;
function targetOf(url: string): RequestOptions {
  if (lastTarget?.url !== url) {
    const u = new URL(url);
    // As node:http's urlToHttpOptions reads a URL.
    const options: RequestOptions = { protocol: u.protocol, hostname: u.hostname.replace(/^\[|\]$/g, ""), path: u.pathname + u.search };
    if (u.port) options.port = Number(u.port);
    if (u.username || u.password) options.auth = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    lastTarget = { url, options };
  }
  return lastTarget.options;
}

/**
 * The Node path; exported for the table test that holds it to fetch's. The client's signal
 * destroys the request (and so the response while it is read) through one listener of ours, held
 * until the request closes: no AbortController per request, and not node:http's `signal` option,
 * which watches the request with end-of-stream (eight listeners) to know when to let go.
 */
export async function nodePost(url: string, { headers, body, signal, headerTimeoutMs, bodyDone }: PostInit): Promise<PostResponse> {
  const { http, https, utf8 } = await loadNodeHttp();
  if (signal.aborted) {
    bodyDone?.();
    throw abortError(signal);
  }
  // Encoded once: with a string, its byte length and the socket write each encode the ~40 KB again.
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  const target = targetOf(url);
  const request = target.protocol === "https:" ? https.request : http.request;
  return new Promise<PostResponse>((resolve, reject) => {
    const req = request({ ...target, method: "POST", headers: { ...headers, "content-length": String(bytes.length) } }, (res: IncomingMessage) => {
      clearTimeout(timer);
      resolve(new NodeResponse(res));
    });
    const timer = setTimeout(() => req.destroy(new HeaderTimeoutError(headerTimeoutMs)), headerTimeoutMs);
    const onAbort = () => req.destroy(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    // After 'close' the socket may serve another request: the client's abort must not reach it.
    req.once("close", () => signal.removeEventListener("abort", onAbort));
    // Finished: the last bytes are the kernel's. Closed: destroyed, nothing more is written.
    if (bodyDone) {
      req.once("finish", bodyDone);
      req.once("close", bodyDone);
    }
    req.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end(bytes);
  });
}

const abortError = (signal: AbortSignal) => new DOMException(`the request was aborted${signal.reason instanceof Error ? `: ${signal.reason.message}` : ""}`, "AbortError");
