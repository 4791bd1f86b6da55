// A trace as written to disk: compact JSON (pretty-printing a deep tool schema made an 80 MB file
// from a 60 KB request), and never more than a cap. Over the cap, the largest parts go first,
// and the trace says what was cut and why. Pure.
import type { Trace } from "./store.ts";

/** What one trace may take on disk by default. */
export const MAX_TRACE_BYTES = 16 * 1024 * 1024;

/** Parts that may be dropped, cheapest loss first: the translated copy, the answer, the request. */
const DROPPABLE = ["upstreamRequest", "response", "request"] as const;

export function serializeTrace(trace: Trace, maxBytes = MAX_TRACE_BYTES): string {
  let json = JSON.stringify(trace);
  const omitted: string[] = [];
  let current: Trace = trace;
  for (const part of DROPPABLE) {
    if (Buffer.byteLength(json) <= maxBytes) return json;
    const replacement = part === "request" ? { model: trace.request.model, messages: [] } : null;
    current = { ...current, [part]: replacement };
    omitted.push(part);
    current.truncated = { limitBytes: maxBytes, originalBytes: Buffer.byteLength(JSON.stringify(trace)), omitted: [...omitted] };
    json = JSON.stringify(current);
  }
  return json;
}
