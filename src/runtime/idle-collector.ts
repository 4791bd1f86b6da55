// One full collection after a burst of requests, once the proxy has been quiet for a while.

/** Quiet this long after the last request, the heap is collected once. */
export const IDLE_COLLECT_MS = 1000;

/**
 * Returns `busy`, to call on every request: `collect` runs once `quietMs` after the last call, and
 * not again until the next burst. Its timer never keeps the process alive.
 */
export function idleCollector(collect: () => void, quietMs = IDLE_COLLECT_MS): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) return void timer.refresh();
    timer = setTimeout(() => {
      timer = undefined;
      collect();
    }, quietMs);
    timer.unref?.();
  };
}
