// POST to an upstream. On Bun this is fetch. On Node, fetch (undici) costs several times what
// node:http does for the same exchange (a 40 KB body is written through a stream of its own, every
// response goes through its fetch machinery): there the request goes out with node:http and the
// answer comes back as a standard Response, so callers see one API on both runtimes.
import type { IncomingMessage } from "node:http";
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

export function httpPost(url: string, init: PostInit): Promise<Response> {
  if (typeof Bun !== "undefined") return fetch(url, { method: "POST", ...init });
  return nodePost(url, init);
}

const NO_BODY = new Set([101, 204, 205, 304]);

type NodeHttp = { http: typeof import("node:http"); https: typeof import("node:https"); Readable: typeof import("node:stream").Readable; utf8: Utf8Encoder };
/** Loaded on the first POST (never under Bun), then reused: no module lookup per request. */
let nodeHttp: Promise<NodeHttp> | undefined;
const loadNodeHttp = () =>
  (nodeHttp ??= Promise.all([import("node:http"), import("node:https"), import("node:stream")]).then(([http, https, stream]) => ({ http, https, Readable: stream.Readable, utf8: new Utf8Encoder() })));

async function nodePost(url: string, { headers, body, signal }: PostInit): Promise<Response> {
  const { http, https, Readable, utf8 } = await loadNodeHttp();
  // Encoded once: with a string, its byte length and the socket write each encode the ~40 KB again.
  const bytes = typeof body === "string" ? utf8.encode(body) : body;
  const request = url.startsWith("https:") ? https.request : http.request;
  return new Promise<Response>((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { ...headers, "content-length": String(bytes.length) }, signal }, (res: IncomingMessage) => {
      const out = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (Array.isArray(value)) for (const v of value) out.append(name, v);
        else if (value !== undefined) out.set(name, value);
      }
      const status = res.statusCode ?? 502;
      const stream = NO_BODY.has(status) ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      if (!stream) res.resume();
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: out }));
    });
    req.on("error", reject);
    req.end(bytes);
  });
}
