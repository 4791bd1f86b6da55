// Which tool call a streamed fragment belongs to (protocol.md §7.4). Servers disagree: most
// number parallel calls by `index`, some reuse index 0 for every call (LM Studio 0.3.17, Ollama
// #15457) with empty ids on later fragments, some send no index or no id at all.

export interface CallSoFar {
  upId: string | undefined;
  name: string;
  args: string;
  emitted: boolean;
}

export class ToolCallKeys {
  private lastKey: string | undefined;
  private counter = 0;
  private byIndex = new Map<number, string>();
  private byId = new Map<string, string>();

  /** `calls` looks up what a key has gathered so far; `onSuperseded` hears of a call a new one replaced on its index. */
  constructor(
    private readonly calls: (key: string) => CallSoFar | undefined,
    private readonly onSuperseded: (key: string) => void,
  ) {}

  /**
   * By index when there is one, but a new id with a name or after complete arguments, or a name
   * after complete arguments, starts a new call on the same index; the call's own id with its name
   * (or none) never does, and a bare fragment on a new index ends an open last call. Without an
   * index: by id, else the last call.
   */
  keyFor(index: number | undefined, upId: string | undefined, name: string | undefined): string {
    const key = this.resolve(index, upId, name);
    if (upId) this.byId.set(upId, key);
    this.lastKey = key;
    return key;
  }

  private resolve(index: number | undefined, upId: string | undefined, name: string | undefined): string {
    if (index != null) {
      const key = this.byIndex.get(index);
      if (key && !startsNewCall(this.calls(key)!, upId, name)) return key;
      // A bare fragment on an index never announced, while the last call's JSON is still open, is
      // that call's end: vLLM's harmony streaming put a call's last tokens on the next index
      // (vllm#37070). Not remembered for the index: once the call is complete, it stays apart.
      if (!key && !upId && !name && this.lastIsOpen()) return this.lastKey!;
      if (key) this.onSuperseded(key);
      const fresh = `i${index}#${this.counter++}`;
      this.byIndex.set(index, fresh);
      return fresh;
    }
    const known = upId ? this.byId.get(upId) : undefined;
    if (known) return known;
    const last = this.lastKey ? this.calls(this.lastKey) : undefined;
    if (last && !upId && !startsNewCall(last, upId, name)) return this.lastKey!;
    return `n${this.counter++}`;
  }

  private lastIsOpen(): boolean {
    const last = this.lastKey ? this.calls(this.lastKey) : undefined;
    return !!last && !last.emitted && !isCompleteJson(last.args);
  }
}

function startsNewCall(current: CallSoFar, upId: string | undefined, name: string | undefined): boolean {
  // The call's own id again, naming the same tool or none, is the same call even after its
  // arguments are complete: gateways repeat the header on every fragment and in a closing summary
  // (litellm#20480), vLLM's end-of-stream remainder chunk re-sent id, type and name (vllm#44098).
  // Another tool under the same id is another call: an OpenRouter provider reused index and id
  // across parallel calls (skye-harris/hass_local_openai_llm#92).
  if (upId && upId === current.upId && (!name || name === current.name)) return false;
  const done = current.emitted || isCompleteJson(current.args);
  // A new id with a name, or after complete arguments, is a new call. A new id on a bare argument
  // fragment of an open call is not: some servers change ids between fragments (mlx-openai-server#216).
  if (upId && current.upId && upId !== current.upId) return !!name || done;
  return !!name && !!current.name && done;
}

export function isCompleteJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
