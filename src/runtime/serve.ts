// The only place that knows how to listen: Bun.serve on Bun, @hono/node-server on Node.
export interface Listening {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface ListenOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
}

type FetchHandler = (req: Request) => Response | Promise<Response>;

export async function listen(fetch: FetchHandler, opts: ListenOptions): Promise<Listening> {
  if (typeof Bun !== "undefined") {
    const server = Bun.serve({
      fetch,
      hostname: opts.hostname,
      port: opts.port,
      // SSE streams may stay quiet for minutes during prefill; Bun's default would cut them at 10 s.
      idleTimeout: 0,
      maxRequestBodySize: 256 * 1024 * 1024,
    });
    const port = server.port ?? opts.port;
    return { url: urlFor(opts.hostname, port), port, stop: async () => void (await server.stop(true)) };
  }
  const { serve } = await import("@hono/node-server");
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: opts.hostname, port: opts.port }, (info) => {
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

function urlFor(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}
