// Checks a sequence of Anthropic events against the streaming grammar of protocol.md §2.5, and
// folds it through the official SDK's MessageStream accumulator.
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import type { AnthropicEvent } from "../../src/protocol/anthropic.ts";

export function assertGrammar(events: AnthropicEvent[]): void {
  const fail = (msg: string) => {
    throw new Error(`${msg}\n${events.map((e) => JSON.stringify(e)).join("\n")}`);
  };
  const real = events.filter((e) => e.type !== "ping");
  if (real[0]?.type !== "message_start") fail("first event must be message_start");
  if (real.filter((e) => e.type === "message_start").length !== 1) fail("exactly one message_start");
  const last = real.at(-1)!;
  const stops = real.filter((e) => e.type === "message_stop").length;
  const errors = real.filter((e) => e.type === "error").length;
  if (last.type === "error") {
    if (stops !== 0 || errors !== 1) fail("error must be the single terminal event");
  } else if (last.type !== "message_stop" || stops !== 1 || errors !== 0) fail("must end with exactly one message_stop");
  let open: number | null = null;
  let next = 0;
  let sawDelta = false;
  for (const e of real) {
    if (e.type === "content_block_start") {
      if (open !== null) fail(`block ${e.index} started while ${open} open`);
      if (e.index !== next) fail(`expected index ${next}, got ${e.index}`);
      if (sawDelta) fail("content block after message_delta");
      open = e.index;
      next++;
    } else if (e.type === "content_block_delta") {
      if (e.index !== open) fail(`delta for closed block ${e.index}`);
      if (e.delta.type === "text_delta" && e.delta.text === "") fail("empty text_delta");
    } else if (e.type === "content_block_stop") {
      if (e.index !== open) fail(`stop for block ${e.index} not open`);
      open = null;
    } else if (e.type === "message_delta") {
      if (open !== null) fail("message_delta with a block open");
      sawDelta = true;
    }
  }
  if (last.type === "message_stop" && !sawDelta) fail("message_delta missing");
}

/** Feeds events through the SDK accumulator, as Claude Code's client would see them. */
export async function sdkFinalMessage(events: AnthropicEvent[]) {
  const body = new ReadableStream({
    start(c) {
      for (const e of events) c.enqueue(new TextEncoder().encode(`${JSON.stringify(e)}\n`));
      c.close();
    },
  });
  return MessageStream.fromReadableStream(body).finalMessage();
}
