// A scripted OpenAI-compatible server standing in for a model. Each request gets the next reply
// from the script (or the reply function's answer); every request body is recorded.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChatRequest } from "../../src/protocol/openai.ts";

export type Frame = string | { delayMs: number } | { raw: string | Uint8Array };

export type Reply =
  | { kind: "sse"; frames: Frame[]; status?: number; headerDelayMs?: number; cut?: boolean; stall?: boolean }
  | { kind: "json"; status?: number; body: unknown; headers?: Record<string, string>; headerDelayMs?: number }
  | { kind: "text"; status: number; body: string; headers?: Record<string, string>; headerDelayMs?: number };

export interface Upstream {
  url: string;
  requests: ChatRequest[];
  /** The headers of each recorded request. */
  headers: Record<string, string | string[] | undefined>[];
  /** Number of requests whose client went away before the reply finished. */
  aborted: number;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startUpstream(script: Reply[] | ((req: ChatRequest, n: number) => Reply | Promise<Reply>)): Promise<Upstream> {
  const requests: ChatRequest[] = [];
  const headers: Upstream["headers"] = [];
  const state = { aborted: 0 };
  const next = (req: ChatRequest, n: number): Reply | Promise<Reply> => {
    if (typeof script === "function") return script(req, n);
    const reply = script[n] ?? script.at(-1);
    if (!reply) throw new Error("upstream script is empty");
    return reply;
  };
  // node:http rather than Bun.serve: a test must be able to cut the socket mid-stream.
  const server = createServer(async (req, res) => {
    let closed = false;
    res.on("close", () => {
      if (!res.writableFinished) {
        closed = true;
        state.aborted++;
      }
    });
    if (req.url?.endsWith("/models")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "test-model", max_model_len: 32768 }] }));
      return;
    }
    // Other GETs (llama.cpp /props, Ollama /api/tags…): unknown here, as on a plain OpenAI server.
    if (req.method !== "POST") {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "not found" } }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ChatRequest;
    requests.push(body);
    headers.push(req.headers);
    const reply = await next(body, requests.length - 1);
    if ("headerDelayMs" in reply && reply.headerDelayMs) await sleep(reply.headerDelayMs);
    if (reply.kind === "json" || reply.kind === "text") {
      const text = reply.kind === "json" ? JSON.stringify(reply.body) : reply.body;
      res.writeHead(reply.status ?? 200, { "content-type": reply.kind === "json" ? "application/json" : "text/plain", ...reply.headers });
      res.end(text);
      return;
    }
    res.writeHead(reply.status ?? 200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    res.flushHeaders();
    for (const f of reply.frames) {
      if (closed) return;
      if (typeof f === "string") res.write(`data: ${f}\n\n`);
      else if ("raw" in f) res.write(f.raw);
      else await sleep(f.delayMs);
    }
    if (reply.stall) return; // never ends; the client has to give up
    if (reply.cut) {
      await sleep(20); // let the written frames reach the client first
      res.destroy();
      return;
    }
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    headers,
    get aborted() {
      return state.aborted;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
