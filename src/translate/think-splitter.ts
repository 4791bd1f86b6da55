// Splits inline <think>…</think> reasoning out of streamed content (protocol.md §7.5). Pure and
// incremental: a suffix that could be the start of a tag is held back until the next chunk.

export type Piece = { kind: "reasoning" | "text"; text: string };
type State = "before" | "inside" | "after";

export class ThinkSplitter {
  private state: State;
  private held = "";
  private stripNewline = false;

  constructor(
    startInside = false,
    private readonly open = "<think>",
    private readonly close = "</think>",
  ) {
    this.state = startInside ? "inside" : "before";
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
        if (!trimmed) {
          this.held = s; // only whitespace so far: undecided
          break;
        }
        if (trimmed.startsWith(this.open)) {
          this.state = "inside";
          s = trimmed.slice(this.open.length);
          continue;
        }
        if (this.open.startsWith(trimmed)) {
          this.held = s; // could still become <think>
          break;
        }
        // A pre-opened template emits only </think>: everything before it is reasoning.
        this.state = s.includes(this.close) ? "inside" : "after";
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

  flush(): Piece[] {
    const rest = this.held;
    this.held = "";
    if (!rest) return [];
    return [{ kind: this.state === "inside" ? "reasoning" : "text", text: rest }];
  }

  /** Length of the longest suffix of s that is a proper prefix of tag. */
  private partialSuffix(s: string, tag: string): number {
    for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) if (s.endsWith(tag.slice(0, n))) return n;
    return 0;
  }
}
