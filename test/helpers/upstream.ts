// A scripted OpenAI-compatible server standing in for a model. Each request gets the next reply
// from the script (or the reply function's answer); every request body is recorded.
import type { ChatRequest } from "../../src/protocol/openai.ts";

export type Frame = string | { delayMs: number } | { raw: string };

export type Reply =
  | { kind: "sse"; frames: Frame[]; status?: number; headerDelayMs?: number; cut?: boolean; stall?: boolean }
  | { kind: "json"; status?: number; body: unknown; headers?: Record<string, string>; headerDelayMs?: number }
  | { kind: "text"; status: number; body: string; headers?: Record<string, string> };

export interface Upstream {
  url: string;
  requests: ChatRequest[];
  /** Number of requests whose client went away before the reply finished. */
  aborted: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = new TextEncoder();

export async function startUpstream(script: Reply[] | ((req: ChatRequest, n: number) => Reply)): Promise<Upstream> {
  const requests: ChatRequest[] = [];
  const state = { aborted: 0 };
  const next = (req: ChatRequest, n: number): Reply => {
    if (typeof script === "function") return script(req, n);
    const reply = script[n] ?? script.at(-1);
    if (!reply) throw new Error("upstream script is empty");
    return reply;
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (path.endsWith("/models")) return Response.json({ object: "list", data: [{ id: "test-model", max_model_len: 32768 }] });
      const body = (await request.json()) as ChatRequest;
      requests.push(body);
      const reply = next(body, requests.length - 1);
      if ("headerDelayMs" in reply && reply.headerDelayMs) await sleep(reply.headerDelayMs);
      if (reply.kind === "json") return Response.json(reply.body, { status: reply.status ?? 200, headers: reply.headers });
      if (reply.kind === "text") return new Response(reply.body, { status: reply.status, headers: reply.headers });
      const signal = request.signal;
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          try {
            for (const f of reply.frames) {
              if (signal.aborted) throw new Error("aborted");
              if (typeof f === "string") controller.enqueue(enc.encode(`data: ${f}\n\n`));
              else if ("raw" in f) controller.enqueue(enc.encode(f.raw));
              else await sleep(f.delayMs);
            }
            if (reply.stall) {
              await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
              throw new Error("aborted");
            }
            if (reply.cut) controller.error(new Error("connection cut"));
            else controller.close();
          } catch {
            state.aborted++;
            try {
              controller.error(new Error("aborted"));
            } catch {}
          }
        },
      });
      return new Response(stream, { status: reply.status ?? 200, headers: { "content-type": "text/event-stream" } });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/v1`,
    requests,
    get aborted() {
      return state.aborted;
    },
    stop: async () => void (await server.stop(true)),
  };
}
