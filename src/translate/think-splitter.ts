// Splits inline <think>…</think> reasoning out of streamed content (protocol.md §7.5). Pure and
// incremental: a suffix that could be the start of a tag is held back until the next chunk.
//
// Templates that open <think> in the prompt (Qwen3 thinking models, llama.cpp with
// --reasoning-format none) make the output start inside the reasoning: only </think> appears.
// Content that does not start with <think> is therefore held, undecided, until </think> shows
// (it was reasoning) or the stream says otherwise: its end, a tool call, or a reasoning field
// (`settle`). Reasoning must never leak into the answer, whatever the chunking.

export type Piece = { kind: "reasoning" | "text"; text: string };

/** What the content turned out to be: it began inside a pre-opened <think>, or it was plainly the answer. */
export type ThinkOutcome = "preopened" | "plain" | null;
type State = "before" | "undecided" | "inside" | "after";

export class ThinkSplitter {
  private state: State;
  private held = "";
  /** In "undecided", where the search for the closing tag resumes. */
  private scanned = 0;
  private stripNewline = false;
  outcome: ThinkOutcome = null;

  constructor(
    startInside = false,
    /** Held content that this accepts is the answer (a stop sequence in it): release it as text. */
    private readonly isAnswer: (held: string) => boolean = () => false,
    /** false: content without <think> is the answer at once (the model is known not to pre-open). */
    private readonly holdUndecided = true,
    private readonly open = "<think>",
    private readonly close = "</think>",
  ) {
    this.state = startInside ? "inside" : "before";
  }

  /** Past the reasoning, nothing held: feed(chunk) gives the chunk back as text, as is (the caller may skip it). */
  get passesText(): boolean {
    return this.state === "after" && !this.stripNewline && this.held === "";
  }

  feed(chunk: string): Piece[] {
    const out: Piece[] = [];
    let s = this.held + chunk;
    this.held = "";
    while (s.length) {
      if (this.state === "after") {
        if (this.stripNewline) {
          // Models put blank lines between </think> and the answer; they carry nothing.
          s = s.trimStart();
          if (!s) break;
          this.stripNewline = false;
        }
        out.push({ kind: "text", text: s });
        break;
      }
      if (this.state === "before") {
        const trimmed = s.trimStart();
        if (!trimmed || this.open.startsWith(trimmed)) {
          this.held = s; // only whitespace, or could still become <think>: undecided
          break;
        }
        if (trimmed.startsWith(this.open)) {
          this.state = "inside";
          s = trimmed.slice(this.open.length);
          continue;
        }
        if (!this.holdUndecided) {
          this.state = s.includes(this.close) ? "inside" : "after";
          if (this.state === "inside") this.outcome = "preopened";
          continue;
        }
        this.state = "undecided";
        this.scanned = 0;
        continue;
      }
      if (this.state === "undecided") {
        const end = s.indexOf(this.close, this.scanned);
        if (end < 0) {
          if (this.isAnswer(s)) {
            this.state = "after";
            this.outcome = "plain";
            continue;
          }
          this.held = s;
          this.scanned = Math.max(0, s.length - this.close.length + 1);
          break;
        }
        this.state = "inside"; // it was reasoning all along
        this.outcome = "preopened";
        continue;
      }
      // inside
      const end = s.indexOf(this.close);
      if (end >= 0) {
        if (end > 0) out.push({ kind: "reasoning", text: s.slice(0, end) });
        this.state = "after";
        this.stripNewline = true;
        s = s.slice(end + this.close.length);
        continue;
      }
      const keep = this.partialSuffix(s, this.close);
      const emit = s.slice(0, s.length - keep);
      if (emit) out.push({ kind: "reasoning", text: emit });
      this.held = s.slice(s.length - keep);
      break;
    }
    return out;
  }

  /** The stream showed the content is the answer (a tool call, a separate reasoning field): release what is held as text. */
  settle(): Piece[] {
    if (this.state !== "before" && this.state !== "undecided") return [];
    const rest = this.held;
    this.held = "";
    if (this.state === "undecided" && rest.trim()) this.outcome = "plain";
    this.state = "after";
    this.stripNewline = false;
    return rest ? [{ kind: "text", text: rest }] : [];
  }

  /**
   * At the end of the answer. `finished`: it ended by itself (a stop), not cut by max_tokens: only
   * then does content that never showed </think> prove the model answers plainly. An answer cut
   * short (a one-token probe, a small max_tokens) may still be inside a pre-opened <think>.
   */
  flush(finished = true): Piece[] {
    const rest = this.held;
    this.held = "";
    if (this.state === "undecided" && rest.trim() && finished) this.outcome = "plain";
    if (!rest) return [];
    return [{ kind: this.state === "inside" ? "reasoning" : "text", text: rest }];
  }

  /** Length of the longest suffix of s that is a proper prefix of tag. */
  private partialSuffix(s: string, tag: string): number {
    for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) if (s.endsWith(tag.slice(0, n))) return n;
    return 0;
  }
}
