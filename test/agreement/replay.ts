import { logNormal, pickWeighted, seededRandom } from '../../src/demo/random.js';
import { bucketIndex } from '../../src/instruments/HistogramState.js';
import { ERROR_TYPES, type ErrorType } from '../../src/instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS } from '../../src/instruments/names.js';

/** Who an event is for: a user of an org, or nobody (a call outside any context). */
export interface ReplayUser {
  readonly userId: string;
  readonly orgId: string;
}

/** One thing the replay does. Latencies are whole milliseconds, so every sum is exact. */
export type ReplayEvent =
  | {
      readonly kind: 'call';
      readonly skillId: string;
      readonly user: ReplayUser | undefined;
      readonly latencyMs: number;
      readonly errorType: ErrorType | undefined;
      readonly async: boolean;
    }
  | { readonly kind: 'rate'; readonly skillId: string; readonly user: ReplayUser | undefined; readonly stars: number }
  | { readonly kind: 'install'; readonly skillId: string; readonly user: ReplayUser | undefined };

/** A skill of the replay: how often it is called, how long it takes, how it fails. */
export interface ReplaySkill {
  readonly id: string;
  readonly weight: number;
  readonly medianMs: number;
  readonly sigma: number;
  readonly failureRate: number;
  readonly failureTypes: readonly ErrorType[];
}

// From cache hits to a crawl whose slowest calls pass the last bucket bound (60 s), so p95 meets
// every kind of bucket: the first, a middle one, and +Inf.
/** The skills of {@link replay}, most called first. */
export const REPLAY_SKILLS: readonly ReplaySkill[] = [
  { id: 'web_search', weight: 30, medianMs: 180, sigma: 0.5, failureRate: 0.04, failureTypes: ['upstream', 'timeout'] },
  { id: 'run_sql', weight: 20, medianMs: 25, sigma: 0.6, failureRate: 0.05, failureTypes: ['validation', 'auth'] },
  { id: 'cache_get', weight: 15, medianMs: 0.5, sigma: 0.5, failureRate: 0.01, failureTypes: ['internal'] },
  { id: 'send_email', weight: 8, medianMs: 320, sigma: 0.3, failureRate: 0.08, failureTypes: ['rate_limited', 'auth', 'cancelled'] },
  { id: 'code_interpreter', weight: 8, medianMs: 900, sigma: 0.7, failureRate: 0.1, failureTypes: ['internal', 'timeout', 'cancelled'] },
  { id: 'crawl_site', weight: 4, medianMs: 45_000, sigma: 0.6, failureRate: 0.15, failureTypes: [...ERROR_TYPES] },
];

/** The 30 users of the replay, in 4 orgs. */
export function replayUsers(): ReplayUser[] {
  return Array.from({ length: 30 }, (_, index) => ({
    userId: `user_${String(index).padStart(2, '0')}`,
    orgId: `org_${'abcd'[index % 4]}`,
  }));
}

/** The replay: `intervals` export intervals of events, the same for the same seed. */
export function replay(seed: number, intervals = 6, eventsPerInterval = 400): ReplayEvent[][] {
  const random = seededRandom(seed);
  const users = replayUsers();
  const installed = new Set<string>();
  return Array.from({ length: intervals }, () => {
    const events: ReplayEvent[] = [];
    while (events.length < eventsPerInterval) events.push(...callEvents(random, REPLAY_SKILLS, users, installed));
    return events;
  });
}

/**
 * The events of one call drawn from `random`: the user's install of the skill when it is their
 * first use of it (`installed` remembers), the call, and one time in eight a rating.
 */
export function callEvents(
  random: () => number,
  skills: readonly ReplaySkill[],
  users: readonly ReplayUser[],
  installed: Set<string>,
): ReplayEvent[] {
  const events: ReplayEvent[] = [];
  const skill = pickWeighted(random, skills);
  // One call in ten is made outside any user's context.
  const user = random() < 0.1 ? undefined : users[Math.floor(random() * users.length)];
  const installKey = `${skill.id}/${user?.userId ?? ''}`;
  if (!installed.has(installKey)) {
    installed.add(installKey);
    events.push({ kind: 'install', skillId: skill.id, user });
  }
  const latencyMs = Math.max(1, Math.round(logNormal(random, skill.medianMs, skill.sigma)));
  const errorType = random() < skill.failureRate ? skill.failureTypes[Math.floor(random() * skill.failureTypes.length)] : undefined;
  events.push({ kind: 'call', skillId: skill.id, user, latencyMs, errorType, async: random() < 0.5 });
  if (random() < 0.12) events.push({ kind: 'rate', skillId: skill.id, user, stars: 1 + Math.floor(random() * 5) });
  return events;
}

/** What a set of events adds up to: the ground truth every backend must show. */
export interface Totals {
  executions: number;
  successes: number;
  failures: Record<string, number>;
  /** Calls per latency bucket (upper bounds inclusive), +Inf last. */
  latencyBuckets: number[];
  latencySum: number;
  latencies: number[];
  ratingCount: number;
  ratingSum: number;
  stars: number[];
  installs: number;
}

function emptyTotals(): Totals {
  return {
    executions: 0,
    successes: 0,
    failures: {},
    latencyBuckets: new Array<number>(LATENCY_BOUNDARIES_MS.length + 1).fill(0),
    latencySum: 0,
    latencies: [],
    ratingCount: 0,
    ratingSum: 0,
    stars: [0, 0, 0, 0, 0],
    installs: 0,
  };
}

/** Totals of `events` grouped by `keyOf`. */
export function totalsBy(events: readonly ReplayEvent[], keyOf: (event: ReplayEvent) => string): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  for (const event of events) {
    const key = keyOf(event);
    let total = totals.get(key);
    if (total === undefined) {
      total = emptyTotals();
      totals.set(key, total);
    }
    add(total, event);
  }
  return totals;
}

function add(total: Totals, event: ReplayEvent): void {
  if (event.kind === 'install') {
    total.installs++;
  } else if (event.kind === 'rate') {
    total.ratingCount++;
    total.ratingSum += event.stars;
    total.stars[event.stars - 1]!++;
  } else {
    total.executions++;
    if (event.errorType === undefined) total.successes++;
    else total.failures[event.errorType] = (total.failures[event.errorType] ?? 0) + 1;
    total.latencyBuckets[bucketIndex(LATENCY_BOUNDARIES_MS, event.latencyMs)]!++;
    total.latencySum += event.latencyMs;
    total.latencies.push(event.latencyMs);
  }
}

/** The exact p95 of the latencies: the nearest-rank value, the ⌈0.95 n⌉-th smallest. */
export function exactP95(latencies: readonly number[]): number {
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] as number;
}
