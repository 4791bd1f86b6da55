// A conversation's messages (system messages folded in) → chat messages, before roles are merged.
// Pure. Claude Code resends every earlier turn; the request validator hands those out deep-frozen,
// the same objects turn after turn. Given the conversations translated recently, the translation
// resumes after the longest run of first messages that are the same frozen objects as last time:
// a frozen message cannot change, and what follows depends only on the messages before it and on
// the profile. Work per turn is then that of the new messages, not of the whole conversation.
import type { MessageParam } from "../protocol/anthropic.ts";
import type { ChatMessage } from "../protocol/openai.ts";
import { assistantMessages, assistantVariant } from "./assistant-message.ts";
import type { TranslateProfile } from "./profile.ts";
import { INTERRUPTED, userTurns, userVariant } from "./user-turn.ts";

/** The translation's state after a message. */
interface Checkpoint {
  outLength: number;
  notesLength: number;
  /** Images numbered so far. */
  images: number;
  /** The tool_call ids of the latest assistant turn still awaiting results. */
  openCalls: readonly string[];
}

interface Translated {
  variant: string;
  input: readonly MessageParam[];
  out: readonly ChatMessage[];
  notes: readonly string[];
  /** `after[i]`: the state after `input[i]`. */
  after: readonly Checkpoint[];
}

/** The last few conversations translated (a main conversation and Claude Code's side requests alternate). */
export class RecentConversations {
  private translated: Translated[] = [];

  constructor(private readonly keep = 4) {}

  /** The translation that `input` continues longest, and how many of its first messages are the same frozen ones. */
  continued(input: readonly MessageParam[], variant: string): { from: Translated; count: number } | undefined {
    let best: { from: Translated; count: number } | undefined;
    for (const t of this.translated) {
      if (t.variant !== variant) continue;
      let n = 0;
      while (n < input.length && n < t.input.length && input[n] === t.input[n] && Object.isFrozen(input[n])) n++;
      if (n > (best?.count ?? 0)) best = { from: t, count: n };
    }
    return best;
  }

  /** `t`, the most recent first, in place of the translation it continued. */
  remember(t: Translated, continued?: Translated): void {
    this.translated = [t, ...this.translated.filter((x) => x !== continued)].slice(0, this.keep);
  }
}

/** The chat messages of `input` in order, and the lossy decisions worth a debug line. */
export function chatMessages(input: readonly MessageParam[], profile: TranslateProfile, recent?: RecentConversations): { out: ChatMessage[]; notes: string[] } {
  const variant = `${assistantVariant(profile)}\u0001${userVariant(profile)}`;
  const resumed = recent?.continued(input, variant);
  const start = resumed ? resumed.from.after[resumed.count - 1]! : { outLength: 0, notesLength: 0, images: 0, openCalls: [] };
  const out = resumed ? resumed.from.out.slice(0, start.outLength) : [];
  const notes = resumed ? resumed.from.notes.slice(0, start.notesLength) : [];
  const after = resumed ? resumed.from.after.slice(0, resumed.count) : [];
  let { images, openCalls } = start;

  const assistantMessage = assistantMessages(profile);
  const userTurn = userTurns(profile);
  const closeOpenCalls = () => {
    for (const id of openCalls) out.push({ role: "tool", tool_call_id: id, content: INTERRUPTED });
    if (openCalls.length) notes.push(`synthesized ${openCalls.length} missing tool result(s)`);
    openCalls = [];
  };

  for (let i = resumed?.count ?? 0; i < input.length; i++) {
    const msg = input[i]!;
    if (msg.role === "assistant") {
      closeOpenCalls();
      const m = assistantMessage(msg);
      out.push(m);
      openCalls = m.role === "assistant" ? (m.tool_calls ?? []).map((c) => c.id) : [];
    } else {
      const turn = userTurn(msg, openCalls, images);
      out.push(...turn.messages);
      notes.push(...turn.notes);
      images = turn.images;
      openCalls = [];
    }
    after.push({ outLength: out.length, notesLength: notes.length, images, openCalls });
  }
  // Kept as made: callers get copies, and the messages a frozen turn made are frozen.
  recent?.remember({ variant, input, out: [...out], notes: [...notes], after }, resumed?.from);
  return { out, notes };
}
