import { AsyncLocalStorage } from 'node:async_hooks';
import { log } from '../core/log.js';
import { processWide } from '../core/processWide.js';

/** A custom attribute value: spans take it always, metrics only for keys named in `metricAttributes`. */
export type CustomAttributeValue = string | number | boolean;

/**
 * Who a skill call is made for, and by which agent. User and org: metric labels only with
 * `userLabels`, span attributes only with `spans.identities`, always in SQLite. The agent: a metric
 * label, a span attribute (`gen_ai.agent.name`) and a SQLite column. The conversation: spans only
 * (`gen_ai.conversation.id`). Custom attributes: spans, and metrics through `metricAttributes`.
 */
export interface Identity {
  readonly userId?: string | undefined;
  readonly orgId?: string | undefined;
  /** The agent making the calls, e.g. `planner` (low cardinality: a handful of agents). */
  readonly agentName?: string | undefined;
  /** The conversation (session, thread) the calls belong to; spans only. */
  readonly conversationId?: string | undefined;
  /** Custom attributes of the calls, e.g. `{ 'app.tier': 'pro' }`. */
  readonly attributes?: Readonly<Record<string, CustomAttributeValue>> | undefined;
}

/** The longest user, org or conversation id kept. */
export const MAX_IDENTITY_LENGTH = 256;
/** The longest agent name kept (it is a metric label). */
export const MAX_AGENT_NAME_LENGTH = 128;
/** The most custom attributes one context or wrap carries. */
const MAX_CUSTOM_ATTRIBUTES = 32;

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
  return storage.run(Object.freeze(outer === undefined ? given : mergeIdentity(outer, given)), fn);
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
    warnOnce(where, 'identity', `is ${describe(identity)}, not an object such as { userId, orgId, agentName }`, false);
    return {};
  }
  const { userId, orgId, agentName, conversationId, attributes } = identity as Record<string, unknown>;
  const clean: { -readonly [K in keyof Identity]: Identity[K] } = {};
  const user = cleanId(userId, where, 'userId');
  const org = cleanId(orgId, where, 'orgId');
  const agent = cleanId(agentName, where, 'agentName', MAX_AGENT_NAME_LENGTH);
  const conversation = cleanId(conversationId, where, 'conversationId');
  if (user !== undefined) clean.userId = user;
  if (org !== undefined) clean.orgId = org;
  if (agent !== undefined) clean.agentName = agent;
  if (conversation !== undefined) clean.conversationId = conversation;
  const custom = cleanAttributes(attributes, where);
  if (custom !== undefined) clean.attributes = custom;
  return clean;
}

/** `inner` over `outer`: each id the inner context names wins, and custom attributes merge key by key. */
export function mergeIdentity(outer: Identity, inner: Identity): Identity {
  const merged = { ...outer, ...inner };
  if (outer.attributes !== undefined && inner.attributes !== undefined)
    merged.attributes = Object.freeze({ ...outer.attributes, ...inner.attributes });
  return merged;
}

/**
 * Custom attributes as spans and metrics can carry them: string, finite number or boolean values
 * under non-empty keys, at most 32; anything else is left out and said once. Frozen.
 */
export function cleanAttributes(attributes: unknown, where: string): Readonly<Record<string, CustomAttributeValue>> | undefined {
  if (attributes === null || attributes === undefined) return undefined;
  if (typeof attributes !== 'object' || Array.isArray(attributes)) {
    warnOnce(where, 'attributes', `is ${describe(attributes)}, not an object such as { 'app.tier': 'pro' }`, false);
    return undefined;
  }
  const clean: Record<string, CustomAttributeValue> = {};
  let count = 0;
  for (const [key, value] of Object.entries(attributes)) {
    const kept =
      typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
    if (key === '' || kept === undefined) {
      warnOnce(where, `attributes[${JSON.stringify(key)}]`, `is ${describe(value)}`, false);
      continue;
    }
    if (++count > MAX_CUSTOM_ATTRIBUTES) {
      warnOnce(where, 'attributes', `has more than ${MAX_CUSTOM_ATTRIBUTES} keys`, false);
      break;
    }
    clean[key] = kept;
  }
  return count === 0 ? undefined : Object.freeze(clean);
}

function cleanId(value: unknown, where: string, name: string, maxLength = MAX_IDENTITY_LENGTH): string | undefined {
  if (value === null || value === undefined) return undefined;
  let text: string;
  if (typeof value === 'string') text = value;
  else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') text = String(value);
  else {
    warnOnce(where, name, `is ${describe(value)}`, true, maxLength);
    return undefined;
  }
  if (text.length > maxLength) warnOnce(where, name, `is longer than ${maxLength} characters`, true, maxLength);
  else if (CONTROL.test(text)) warnOnce(where, name, 'has a control character', true, maxLength);
  else return text;
  return undefined;
}

function warnOnce(where: string, name: string, problem: string, isId: boolean, maxLength = MAX_IDENTITY_LENGTH): void {
  const fix = isId
    ? `Pass a string of at most ${maxLength} printable characters, or a number.`
    : 'Pass an object whose values are strings, finite numbers or booleans.';
  log.once(`identity:${where}:${name}:${problem}`, 'warn', `${where}: ${name} ${problem}; calls are recorded without it. ${fix}`);
}

function describe(value: unknown): string {
  if (typeof value === 'number') return `the number ${String(value)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
