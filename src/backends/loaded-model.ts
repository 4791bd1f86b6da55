// Following the model the user has loaded (the seed project's "hot model switching"): the next
// request goes to whatever the server has loaded now. Looked up at most every few seconds,
// never per token; concurrent requests share one lookup; a failed lookup keeps the last answer.
import type { ConsolaInstance } from "consola";

export interface LoadedModel {
  id: string;
  /** The context it was loaded with, when the server says. */
  contextWindow?: number;
}

export interface LoadedModelOptions {
  /** Asks the server; undefined when nothing usable is loaded. */
  lookup: (signal: AbortSignal) => Promise<LoadedModel | undefined>;
  /** What the proxy started with, so the first lookup that agrees logs nothing. */
  initial?: LoadedModel;
  label: string;
  logger: ConsolaInstance;
  ttlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

export function followLoadedModel(opts: LoadedModelOptions): () => Promise<LoadedModel | undefined> {
  const ttl = opts.ttlMs ?? 3000;
  const now = opts.now ?? Date.now;
  let last = opts.initial;
  let checkedAt = opts.initial ? now() : -Infinity;
  let pending: Promise<LoadedModel | undefined> | undefined;
  let empty = false;

  const refresh = async (): Promise<LoadedModel | undefined> => {
    try {
      const current = await opts.lookup(AbortSignal.timeout(opts.timeoutMs ?? 2000));
      if (current && current.id !== last?.id) opts.logger.info(`${opts.label} has ${current.id} loaded${current.contextWindow ? ` (${current.contextWindow}-token context)` : ""}; requests now go to it`);
      if (!current && !empty) opts.logger.warn(`${opts.label} has no model loaded; load one (requests go to ${last?.id ?? "the configured model"} until then)`);
      empty = !current;
      if (current) last = current;
    } catch (e) {
      opts.logger.debug(`could not ask ${opts.label} which model is loaded: ${(e as Error).message}`);
    }
    checkedAt = now();
    return last;
  };

  return () => {
    if (now() - checkedAt < ttl) return Promise.resolve(last);
    pending ??= refresh().finally(() => (pending = undefined));
    return pending;
  };
}
