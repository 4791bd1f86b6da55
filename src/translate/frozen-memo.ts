// Work on a value the request validator hands out deep-frozen (an unchanged tool list or system
// prompt) is done once per value and variant: a frozen value cannot change, so its identity stands
// for its content. Pure memoisation: a WeakMap neither changes a result nor keeps a value alive, and
// a value that is not frozen is worked on every time.
export class FrozenMemo<V> {
  private readonly memo = new WeakMap<object, Map<unknown, V>>();

  /** `compute()`, remembered for a frozen `value` and this `variant` (what else the result depends on). */
  get(value: unknown, variant: unknown, compute: () => V): V {
    if (typeof value !== "object" || value === null || !Object.isFrozen(value)) return compute();
    let byVariant = this.memo.get(value);
    if (!byVariant) this.memo.set(value, (byVariant = new Map()));
    if (byVariant.has(variant)) return byVariant.get(variant) as V;
    const result = compute();
    byVariant.set(variant, result);
    return result;
  }
}
