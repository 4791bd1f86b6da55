// Stand-ins for LM Studio, Ollama and llama.cpp on 127.0.0.1:0, answering with real response
// bodies from test/fixtures/servers (each names its source) and a short chat reply.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { chunk, DONE, finish, text } from "./chunks.ts";

export interface ServerFixture {
  source: string;
  path: string;
  body: unknown;
}

export function serverFixture(name: string): ServerFixture {
  return JSON.parse(readFileSync(join(import.meta.dir, "../fixtures/servers", `${name}.json`), "utf8")) as ServerFixture;
}

/** LM Studio's /v1/models lists the same ids as /api/v0/models (shape: lmstudio-bug-tracker #2139). */
export const openAiList = (ids: string[]) => ({ object: "list", data: ids.map((id) => ({ id, object: "model", owned_by: "organization_owner" })) });

export interface StandIn {
  /** The OpenAI-compatible root (…/v1). */
  url: string;
  /** Each chat request: the model it asked for and its Authorization header. */
  chats: { model: string; authorization: string | null; path: string }[];
  /** Replace what a path answers, e.g. after the user loads another model. */
  routes: Record<string, unknown>;
  stop(): void;
}

/** routes: path → JSON body; POSTs to chat/messages paths get a one-word streamed answer. */
export function startStandIn(routes: Record<string, unknown>): StandIn {
  const chats: StandIn["chats"] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/v1/chat/completions" || path === "/v1/messages") {
        const body = (await req.json()) as { model: string };
        chats.push({ model: body.model, authorization: req.headers.get("authorization"), path });
        if (path === "/v1/messages")
          return Response.json({ id: "msg_1", type: "message", role: "assistant", model: body.model, content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 } });
        const frames = [chunk({ role: "assistant", content: "" }), text("ok"), finish("stop"), DONE];
        return new Response(frames.map((f) => `data: ${f}\n\n`).join(""), { headers: { "content-type": "text/event-stream" } });
      }
      return path in routes ? Response.json(routes[path]) : new Response("not found", { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/v1`, chats, routes, stop: () => server.stop(true) };
}
