// Stop sequences matched by the proxy (T9): upstream `finish_reason: "stop"` cannot say whether a
// stop string matched, so text is scanned here with a hold-back of the longest partial match.

export class StopScanner {
  private held = "";
  matched: string | null = null;

  constructor(private readonly stops: readonly string[]) {}

  /** Text safe to emit now; after a match, the text before it (and nothing more, ever). */
  feed(text: string): string {
    if (this.matched !== null) return "";
    const buf = this.held + text;
    let first: { at: number; stop: string } | null = null;
    for (const stop of this.stops) {
      const at = buf.indexOf(stop);
      if (at >= 0 && (first === null || at < first.at)) first = { at, stop };
    }
    if (first) {
      this.matched = first.stop;
      this.held = "";
      return buf.slice(0, first.at);
    }
    let keep = 0;
    for (const stop of this.stops) for (let n = Math.min(stop.length - 1, buf.length); n > keep; n--) if (buf.endsWith(stop.slice(0, n))) keep = n;
    this.held = buf.slice(buf.length - keep);
    return buf.slice(0, buf.length - keep);
  }

  /** Whether any stop sequence occurs in text (without consuming it). */
  occursIn(text: string): boolean {
    return this.stops.some((stop) => text.includes(stop));
  }

  flush(): string {
    const out = this.matched === null ? this.held : "";
    this.held = "";
    return out;
  }
}
