// The request size limit. Hono's bodyLimit first asks whether `c.req.raw.body` exists: under
// @hono/node-server that one question turns its lightweight request into a full undici Request
// whose body is a web stream over the socket, and the handler's text() then reads through it
// instead of straight from the IncomingMessage. Deciding from Content-Length (Claude Code always
// sends it) asks nothing of the body; a chunked body is still counted by Hono's as it arrives.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

export function requestSizeLimit(maxSize: number, onError: (c: Context) => Response): MiddlewareHandler {
  const counted = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const headers = c.req.raw.headers;
    // The same test as Hono's: a declared length is trusted only without Transfer-Encoding.
    const length = headers.get("content-length");
    if (length === null || headers.has("transfer-encoding")) return counted(c, next);
    if (parseInt(length || "0", 10) > maxSize) return onError(c);
    await next();
  };
}
