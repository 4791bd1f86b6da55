// Values shared between requests or chunks are frozen all the way down: a consumer that wrote to one
// would throw, not corrupt the next user of it. Frozen also tells caches the value cannot change.

/** Freezes `value` and everything it holds; already frozen parts are left as they are. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
