import { AsyncLocalStorage } from 'node:async_hooks';
import { log } from '../core/log.js';
import { processWide } from '../core/processWide.js';

/** Who a skill call is made for. Metric labels only with `userLabels`; always available to SQLite. */
export interface Identity {
  readonly userId?: string | undefined;
  readonly orgId?: string | undefined;
}

/** The longest user or org id kept. */
export const MAX_IDENTITY_LENGTH = 256;

/**
 * The context withContext opens; one per process, across copies of the package (two versions in
 * node_modules, or one bundled into a dependency), so a context opened through one copy is the
 * identity of the calls that another copy records.
 */
const storage = processWide<AsyncLocalStorage<Identity>>('identity', () => new AsyncLocalStorage<Identity>());
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Runs `fn` with `identity` attributed to every skill call inside it, sync or async; an inner
 * call adds to or overrides the outer identity. Returns what `fn` returns. `null` and `undefined`
 * ids mean anonymous, a number is taken as its decimal string, and any other id that cannot be
 * stored (another type, longer than 256 characters, a control character) is dropped, said once
 * per reason through our logger: `fn` always runs.
 */
export function withContext<T>(identity: Identity, fn: () => T): T {
  const outer = storage.getStore();
  const given = cleanIdentity(identity, 'withContext');
  // A frozen copy: it names the same user and org for the whole context, so the SQLite backend
  // may remember which series it counts in.
  return storage.run(Object.freeze(outer === undefined ? given : { ...outer, ...given }), fn);
}

/** The identity of the current async context, if any (frozen). */
export function currentIdentity(): Identity | undefined {
  return storage.getStore();
}

/**
 * `identity` with every id the package can store: a string as it is, a number as its decimal
 * string; null, undefined and anything else left out (anything else said once per reason, naming
 * `where` it was given).
 */
export function cleanIdentity(identity: unknown, where: string): Identity {
  if (identity === null || identity === undefined) return {};
  if (typeof identity !== 'object') {
    warnOnce(where, 'identity', `is ${describe(identity)}, not an object such as { userId, orgId }`);
    return {};
  }
  const { userId, orgId } = identity as Record<string, unknown>;
  const clean: { userId?: string; orgId?: string } = {};
  const user = cleanId(userId, where, 'userId');
  const org = cleanId(orgId, where, 'orgId');
  if (user !== undefined) clean.userId = user;
  if (org !== undefined) clean.orgId = org;
  return clean;
}

function cleanId(value: unknown, where: string, name: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
  else {
    warnOnce(where, name, `is ${describe(value)}`);
    return undefined;
  }
  if (text.length > MAX_IDENTITY_LENGTH) warnOnce(where, name, `is longer than ${MAX_IDENTITY_LENGTH} characters`);
  else if (CONTROL.test(text)) warnOnce(where, name, 'has a control character');
  else return text;
  return undefined;
}

function warnOnce(where: string, name: string, problem: string): void {
  log.once(
    `identity:${where}:${name}:${problem}`,
    'warn',
    `${where}: ${name} ${problem}; calls are recorded without it. Pass a string of at most ${MAX_IDENTITY_LENGTH} printable characters, or a number.`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
