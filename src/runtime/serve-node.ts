// Listening under Node: @hono/node-server in front of the same Hono app Bun.serve runs.
import type { ServerResponse } from "node:http";
import { type FetchHandler, type Listening, type ListenOptions, urlFor } from "./serve.ts";

/**
 * Holds a response's writes until the event loop has run once more, then sends them together.
 * @hono/node-server flushes a streamed response's headers on their own, then writes each chunk and
 * the end separately: one syscall each (on loopback, each also runs the receiver's side). An answer
 * that is ready (a short reply: headers, its events, the end) goes out in one write instead; a
 * stream still waiting on its model only waits one loop turn longer to send its headers.
 */
export function coalesceWrites(outgoing: Pick<ServerResponse, "cork" | "uncork">): void {
  outgoing.cork();
  setImmediate(() => outgoing.uncork());
}

export async function listenNode(fetch: FetchHandler, opts: ListenOptions): Promise<Listening> {
  const { serve } = await import("@hono/node-server");
  const handler = async (req: Request, env: { outgoing: ServerResponse }) => {
    const res = await fetch(req);
    // The adapter writes the answer as soon as this returns: from here on, batched.
    coalesceWrites(env.outgoing);
    return res;
  };
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: handler as never, hostname: opts.hostname, port: opts.port }, (info) => {
      server.off("error", reject);
      resolve({
        url: urlFor(opts.hostname, info.port),
        port: info.port,
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    // Port in use, unknown host: a rejection the caller can explain, as Bun.serve throws.
    server.once("error", reject);
  });
}
