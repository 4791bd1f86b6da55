// POST to an upstream. On Bun this is fetch. On Node, fetch (undici) costs several times what
// node:http does for the same exchange (a 40 KB body is written through a stream of its own, every
// response goes through its fetch machinery): there the request goes out with node:http and the
// answer is read from the IncomingMessage itself (node-response.ts), with no web stream or
// Response built over it. Callers see one small API on both runtimes (PostResponse).
import type { IncomingMessage } from "node:http";
import type { ByteStream } from "./byte-stream.ts";
import { NodeResponse } from "./node-response.ts";
import { Utf8Encoder } from "./utf8-encoder.ts";

export interface PostInit {
  headers: Record<string, string>;
  /** Bytes as they are; a string is sent as UTF-8. */
  body: string | Uint8Array;
  signal: AbortSignal;
}

/**
 * Whether the body is best given as bytes. Node's http takes bytes (a string is encoded again);
 * Bun's fetch sends a string as cheaply, and bytes made in JavaScript cost a fresh proxy ~100 us
 * more per request in its first few hundred (interleaved runs, proxy CPU).
 */
export const bodyAsBytes = typeof Bun === "undefined";

/** What callers read of an upstream's answer: a fetch Response is one. */
export interface PostResponse {
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  /** null when the status has no body. */
  readonly body: ByteStream | null;
  text(): Promise<string>;
}

export function httpPost(url: string, init: PostInit): Promise<PostResponse> {
  if (typeof Bun !== "undefined") return fetch(url, { method: "POST", ...init });
  return nodePost(url, init);
}

type NodeHttp = { http: typeof import("node:http"); https: typeof import("node:https"); utf8: Utf8Encoder };
/** Loaded on the first POST (never under Bun), then reused: no module lookup per request. */
let nodeHttp: Promise<NodeHttp> | undefined;
const loadNodeHttp = () => (nodeHttp ??= Promise.all([import("node:http"), import("node:https")]).then(([http, https]) => ({ http, https, utf8: new Utf8Encoder() })));

/** The Node path; exported for the table test that holds it to fetch's. */
export async function nodePost(url: string, { headers, body, signal }: PostInit): Promise<PostResponse> {
  const { http, https, utf8 } = await loadNodeHttp();
  // Encoded once: with a string, its byte length and the socket write each encode the ~40 KB again.
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  const request = url.startsWith("https:") ? https.request : http.request;
  return new Promise<PostResponse>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(bytes.length) }, signal }, (res: IncomingMessage) => resolve(new NodeResponse(res)));
    req.on("error", reject);
    req.end(bytes);
  });
}
