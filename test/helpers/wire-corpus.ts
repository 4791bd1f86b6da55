// The wire corpus (test/fixtures/wire): real servers' responses, byte for byte, with what
// Claude Code must see for each. Loaded here and turned into scripted-upstream replies.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Frame, Reply } from "./upstream.ts";

export const WIRE_DIR = join(import.meta.dir, "../fixtures/wire");

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  /** The exact bytes, one string per network write (`{base64}` for writes that split a character); `{delayMs}` pauses between writes. */
  body: (string | { base64: string } | { delayMs: number })[];
  headerDelayMs?: number;
  /** "cut": the socket is destroyed after the body; default: the response ends normally. */
  end?: "cut";
}

export type Block = { type: "text"; text: string } | { type: "thinking"; thinking: string } | { type: "tool_use"; name: string; input: unknown };

export type WireExpect =
  | {
      content: Block[];
      stop_reason: string;
      usage?: Record<string, number>;
      /** Upstream requests the exchange takes (a max_tokens retry, a 429 retry). */
      requests?: number;
      retriedMaxTokens?: number;
      /** Claude Code gets a ping before any content (the upstream was silent while prefilling). */
      pingBeforeContent?: boolean;
    }
  | {
      error: { type: string; message?: string; messageMatch?: string };
      /** The error arrives after content was sent: an `error` event after a 200 when streaming. */
      afterCommit: boolean;
      retryAfter?: string;
    };

export interface WireFixture {
  server: string;
  name: string;
  source: string;
  behaviour: string;
  responses: WireResponse[];
  expect: WireExpect;
}

export function loadWireCorpus(dir = WIRE_DIR): WireFixture[] {
  const out: WireFixture[] = [];
  for (const server of readdirSync(dir).sort())
    for (const file of readdirSync(join(dir, server)).filter((f) => f.endsWith(".json")).sort()) {
      const data = JSON.parse(readFileSync(join(dir, server, file), "utf8")) as Omit<WireFixture, "server" | "name">;
      out.push({ server, name: file.replace(/\.json$/, ""), ...data });
    }
  return out;
}

/** A fixture response as the scripted upstream plays it. */
export function toReply(r: WireResponse): Reply {
  const frames: Frame[] = r.body.map((b) => (typeof b === "string" ? { raw: b } : "base64" in b ? { raw: Buffer.from(b.base64, "base64") } : b));
  const isSse = (r.headers["content-type"] ?? "").includes("text/event-stream");
  if (isSse) return { kind: "sse", frames, status: r.status, ...(r.headerDelayMs ? { headerDelayMs: r.headerDelayMs } : {}), ...(r.end === "cut" ? { cut: true } : {}) };
  return { kind: "text", status: r.status, body: Buffer.concat(r.body.map((b) => (typeof b === "string" ? Buffer.from(b) : "base64" in b ? Buffer.from(b.base64, "base64") : Buffer.alloc(0)))).toString("utf8"), headers: r.headers, ...(r.headerDelayMs ? { headerDelayMs: r.headerDelayMs } : {}) };
}
