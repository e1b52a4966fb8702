import { AsyncLocalStorage } from 'node:async_hooks';

/** Who a skill call is made for. Metric labels only with `userLabels`; always available to SQLite. */
export interface Identity {
  readonly userId?: string | undefined;
  readonly orgId?: string | undefined;
}

const storage = new AsyncLocalStorage<Identity>();

/**
 * Runs `fn` with `identity` attributed to every skill call inside it, sync or async; an inner
 * call adds to or overrides the outer identity. Returns what `fn` returns.
 */
export function withContext<T>(identity: Identity, fn: () => T): T {
  const outer = storage.getStore();
  // A frozen copy: it names the same user and org for the whole context, so the SQLite backend
  // may remember which series it counts in.
  return storage.run(Object.freeze(outer === undefined ? { ...identity } : { ...outer, ...identity }), fn);
}

/** The identity of the current async context, if any (frozen). */
export function currentIdentity(): Identity | undefined {
  return storage.getStore();
}
