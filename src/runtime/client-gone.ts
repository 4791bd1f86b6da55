// When the client goes away before its answer is complete. Under @hono/node-server the request's
// signal is an AbortController the adapter makes for the first who asks (an EventTarget and its
// listener per request, kept with the Context), aborted from the ServerResponse's 'close': the
// same 'close' is listened to here, without the controller. On Bun, and wherever no
// ServerResponse is at hand, the request's signal.
import type { Context } from "hono";

/** What is read of node:http's ServerResponse (node:http is not imported: Bun never takes this path). */
interface Outgoing {
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  once(event: "close", listener: () => void): unknown;
}

interface Incoming {
  readonly errored: unknown;
}

const isOutgoing = (x: unknown): x is Outgoing =>
  typeof x === "object" && x !== null && "writableFinished" in x && "destroyed" in x && typeof (x as { once?: unknown }).once === "function";
const isIncoming = (x: unknown): x is Incoming => typeof x === "object" && x !== null && "errored" in x;

/** Calls `gone` once when the client leaves before its answer is complete; at once if it already has. */
export function onClientGone(c: Context, gone: () => void): void {
  const env = c.env as { incoming?: unknown; outgoing?: unknown } | undefined;
  const outgoing = env?.outgoing;
  const incoming = env?.incoming;
  if (isOutgoing(outgoing) && isIncoming(incoming)) {
    // As the adapter decides to abort its signal (makeCloseHandler): the request failed, or the answer never finished.
    const closed = () => {
      if (incoming.errored || !outgoing.writableFinished) gone();
    };
    // Closed already (destroyed is set as 'close' is emitted): the adapter's signal would be born aborted.
    if (outgoing.destroyed) closed();
    else outgoing.once("close", closed);
    return;
  }
  const signal = c.req.raw.signal;
  if (signal.aborted) gone();
  else signal.addEventListener("abort", gone, { once: true });
}
