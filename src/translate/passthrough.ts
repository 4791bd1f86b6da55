// Request clean-up for Anthropic-format upstreams (protocol.md §8). Pure.
import { cleanToolSchema } from "./json-schema.ts";
import { BILLING_HEADER_PREFIX } from "./request.ts";
import { LOCAL_SIGNATURE_PREFIX } from "./signature.ts";

type Json = Record<string, unknown>;
type Block = Json & { type?: string };

const ID_OK = /^[a-zA-Z0-9_-]+$/;
const blocksOf = (m: Json): Block[] | null => (Array.isArray(m.content) ? (m.content as Block[]) : null);

/**
 * A conversation that ran on a local model carries artefacts the Anthropic API rejects:
 * synthetic thinking signatures, odd tool ids, empty text blocks. Returns null when the body is
 * clean, so the original bytes can be forwarded unchanged (prompt-cache hits depend on them).
 */
export function sanitizeForAnthropic(body: Json): Json | null {
  const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
  let changed = false;
  const ids = new Map<string, string>();
  const fixId = (id: unknown) => {
    const s = String(id);
    if (ID_OK.test(s)) return s;
    changed = true;
    if (!ids.has(s)) ids.set(s, `toolu_fixed_${ids.size}_${s.replace(/[^a-zA-Z0-9_-]/g, "_")}`);
    return ids.get(s)!;
  };
  const out = messages.map((m) => {
    const blocks = blocksOf(m);
    if (!blocks) return m;
    const kept: Block[] = [];
    for (const b of blocks) {
      if (b.type === "thinking" && String(b.signature ?? "").startsWith(LOCAL_SIGNATURE_PREFIX)) {
        changed = true;
        continue;
      }
      if (b.type === "text" && String(b.text ?? "").trim() === "") {
        changed = true;
        continue;
      }
      if (b.type === "tool_use") kept.push({ ...b, id: fixId(b.id) });
      else if (b.type === "tool_result") kept.push({ ...b, tool_use_id: fixId(b.tool_use_id) });
      else kept.push(b);
    }
    return { ...m, content: kept };
  });
  if (!changed) return null;
  const result: Json = { ...body, messages: out };
  // With thinking on, an open tool loop must start with a thinking block; without one, drop thinking.
  const lastAssistant = [...out].reverse().find((m) => m.role === "assistant");
  const first = lastAssistant && blocksOf(lastAssistant)?.[0];
  const thinking = body.thinking as Json | undefined;
  if (thinking && thinking.type !== "disabled" && lastAssistant && first?.type !== "thinking" && first?.type !== "redacted_thinking")
    delete result.thinking;
  return result;
}

/** For a local server's native /v1/messages: drop the billing line, clean schemas, set the model. */
export function prepareForNativeBackend(body: Json, model: string): Json {
  const system = Array.isArray(body.system)
    ? (body.system as Block[]).filter((b) => !String(b.text ?? "").startsWith(BILLING_HEADER_PREFIX))
    : body.system;
  const tools = Array.isArray(body.tools)
    ? (body.tools as Json[]).map((t) => (t.input_schema ? { ...t, input_schema: cleanToolSchema(t.input_schema as Json) } : t))
    : body.tools;
  return { ...(sanitizeForAnthropic(body) ?? body), model, ...(system !== undefined ? { system } : {}), ...(tools !== undefined ? { tools } : {}) };
}
