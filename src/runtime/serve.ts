// The only place that knows how to listen: Bun.serve on Bun, @hono/node-server on Node.
import { idleCollector } from "./idle-collector.ts";
import { useNormalJit } from "./jit-policy.ts";

export interface Listening {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface ListenOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  /**
   * Collect the heap once after a second without requests. For a process that is the proxy: in
   * one that hosts other work (tests) a full collection of its heap is a long pause.
   */
  collectWhenIdle?: boolean;
}

export type FetchHandler = (req: Request) => Response | Promise<Response>;

export async function listen(fetch: FetchHandler, opts: ListenOptions): Promise<Listening> {
  if (typeof Bun !== "undefined") {
    // JavaScriptCore collects lazily: after a burst of requests (48 KB bodies, their parses and
    // translations) the heap keeps 10–15 MB of garbage for minutes, and RSS with it.
    const busy = opts.collectWhenIdle ? idleCollector(() => Bun.gc(true)) : () => {};
    busy(); // start-up leaves garbage too (config, modules, the first probe)
    const server = Bun.serve({
      fetch: (req) => {
        busy();
        return fetch(req);
      },
      hostname: opts.hostname,
      port: opts.port,
      // SSE streams may stay quiet for minutes during prefill; Bun's default would cut them at 10 s.
      idleTimeout: 0,
      maxRequestBodySize: 256 * 1024 * 1024,
    });
    // Start-up is over: requests are what should be compiled now.
    useNormalJit();
    const port = server.port ?? opts.port;
    return { url: urlFor(opts.hostname, port), port, stop: async () => void (await server.stop(true)) };
  }
  const { listenNode } = await import("./serve-node.ts");
  return listenNode(fetch, opts);
}

export function urlFor(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}
