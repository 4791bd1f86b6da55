// Listening under Node: @hono/node-server in front of the same Hono app Bun.serve runs.
import { type IncomingMessage, ServerResponse } from "node:http";
import { idleCollector } from "./idle-collector.ts";
import { nodeCollector } from "./node-collector.ts";
import { type FetchHandler, type Listening, type ListenOptions, urlFor } from "./serve.ts";

type WriteCallback = (error: Error | null | undefined) => void;

/**
 * A response whose writes within one turn of the event loop leave in one syscall. The adapter
 * flushes a stream's headers on their own, then writes each chunk and the end separately; on
 * loopback every write also wakes the reader, and that costs more than the bytes. Held writes go
 * out when the loop turns (or at end(), which sends everything held): a ready short answer is one
 * write, a stream's batch and its end are one, and nothing waits longer than that turn.
 *
 * The socket is corked, not the response: Node 22's own cork() keeps a chunked response's writes
 * in a buffer of its own, and its end() sends the terminating `0\r\n\r\n` ahead of them, so a
 * client saw an empty answer followed by garbage (node 22.23; 20, 24 and 26 keep the order).
 */
export class CoalescingResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  #holding = false;

  #hold(): void {
    const socket = this.socket;
    if (this.#holding || !socket) return;
    this.#holding = true;
    socket.cork();
    setImmediate(() => {
      this.#holding = false;
      // end() has uncorked it fully already when the answer ended in this turn: then a no-op.
      socket.uncork();
    });
  }

  override flushHeaders(): void {
    this.#hold();
    super.flushHeaders();
  }

  override write(chunk: unknown, callback?: WriteCallback): boolean;
  override write(chunk: unknown, encoding: BufferEncoding, callback?: WriteCallback): boolean;
  override write(chunk: unknown, encodingOrCallback?: BufferEncoding | WriteCallback, callback?: WriteCallback): boolean {
    this.#hold();
    return typeof encodingOrCallback === "string" ? super.write(chunk, encodingOrCallback, callback) : super.write(chunk, encodingOrCallback);
  }
}

export async function listenNode(fetch: FetchHandler, opts: ListenOptions): Promise<Listening> {
  const { serve } = await import("@hono/node-server");
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: opts.hostname, port: opts.port, serverOptions: { ServerResponse: CoalescingResponse } }, (info) => {
      server.off("error", reject);
      resolve({
        url: urlFor(opts.hostname, info.port),
        port: info.port,
        stop: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
    // Port in use, unknown host: a rejection the caller can explain, as Bun.serve throws.
    server.once("error", reject);
    if (opts.collectWhenIdle) {
      // After a burst V8 keeps its garbage, and Node 20 the web streams of every answer with their
      // buffers (see node-collector.ts), until its own heuristics collect: 10+ MB of RSS.
      const busy = idleCollector(nodeCollector());
      busy(); // start-up leaves garbage too
      server.on("request", busy);
    }
  });
}
