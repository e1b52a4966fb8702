import { diag } from '@opentelemetry/api';
import type { Identity } from './identity.js';
import { ATTR } from './names.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';
import { SeriesState } from './SeriesState.js';

/** What {@link IdentityStore.drain} hands over: the series of one interval. */
export interface DrainedInterval {
  readonly series: SeriesState[];
  /** Calls and ratings folded into overflow series this interval. */
  readonly overflowed: number;
}

/**
 * Per skill, user and org totals of the current export interval, for the SQLite backend, whether
 * or not user labels are on elsewhere. Draining hands the interval over and starts an empty one,
 * so memory holds one interval, however many users come and go. Past `limit` series in an
 * interval, new combinations are counted in one overflow series per skill.
 */
export class IdentityStore {
  readonly #limit: number;
  readonly #clock: Clock;
  #series = new Map<string, SeriesState>();
  /**
   * The series found for a frozen identity object (a withContext context) and a skill: the calls
   * of one context find theirs without building a key string each time. A frozen identity cannot
   * change, so it always names the same series until the interval is drained.
   */
  #byIdentity = new WeakMap<Identity, Map<string | undefined, SeriesState>>();
  #anonymous = new Map<string | undefined, SeriesState>();
  #intervalStart: number;
  #overflowed = 0;
  #warned = false;

  constructor(limit: number, clock: Clock = SYSTEM_CLOCK) {
    this.#limit = limit;
    this.#clock = clock;
    this.#intervalStart = clock.now();
  }

  /** The clock intervals are timed by. */
  get clock(): Clock {
    return this.#clock;
  }

  /** The series of `skillId` for `identity` in the current interval. */
  series(skillId: string | undefined, identity: Identity | undefined): SeriesState {
    const known = this.#knownSeries(identity);
    const cached = known?.get(skillId);
    if (cached !== undefined) return cached;
    const series = this.#find(skillId, identity);
    if (series === undefined) return this.#overflow(skillId);
    known?.set(skillId, series);
    return series;
  }

  /** The series remembered for `identity` by skill; none for an identity that could still change. */
  #knownSeries(identity: Identity | undefined): Map<string | undefined, SeriesState> | undefined {
    if (identity === undefined) return this.#anonymous;
    if (!Object.isFrozen(identity)) return undefined;
    let known = this.#byIdentity.get(identity);
    if (known === undefined) {
      known = new Map();
      this.#byIdentity.set(identity, known);
    }
    return known;
  }

  /** The series of the key, created while there is room; undefined past the limit. */
  #find(skillId: string | undefined, identity: Identity | undefined): SeriesState | undefined {
    const userId = identity?.userId;
    const orgId = identity?.orgId;
    const key = `${skillId ?? ''}\u0000${userId ?? ''}\u0000${orgId ?? ''}`;
    const existing = this.#series.get(key);
    if (existing !== undefined) return existing;
    if (this.#series.size >= this.#limit) return undefined;
    const attributes: Record<string, string | boolean> = skillId === undefined ? { [ATTR.overflow]: true } : { [ATTR.skillId]: skillId };
    if (userId !== undefined) attributes[ATTR.userId] = userId;
    if (orgId !== undefined) attributes[ATTR.orgId] = orgId;
    const series = new SeriesState(attributes, this.#intervalStart);
    this.#series.set(key, series);
    return series;
  }

  /** Hands over the current interval and starts the next one empty. */
  drain(nowMs: number = this.#clock.now()): DrainedInterval {
    const drained: DrainedInterval = { series: [...this.#series.values()], overflowed: this.#overflowed };
    this.#series = new Map();
    this.#byIdentity = new WeakMap();
    this.#anonymous = new Map();
    this.#intervalStart = nowMs;
    this.#overflowed = 0;
    this.#warned = false;
    return drained;
  }

  #overflow(skillId: string | undefined): SeriesState {
    this.#overflowed++;
    if (!this.#warned) {
      this.#warned = true;
      diag.warn(
        `toolweaver-analytics: more than ${this.#limit} skill, user and org combinations in one SQLite export interval; ` +
          'the rest are counted per skill in rows marked overflow = 1. Raise ANALYTICS_DB_CARDINALITY_LIMIT or lower ANALYTICS_DB_FLUSH_INTERVAL.',
      );
    }
    const key = `\u0001${skillId ?? ''}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new SeriesState({ ...(skillId === undefined ? {} : { [ATTR.skillId]: skillId }), [ATTR.overflow]: true }, this.#intervalStart);
      this.#series.set(key, series);
    }
    return series;
  }
}
