import { log } from '../core/log.js';
import { callRatingKey, type CallRating } from './callRatings.js';
import type { Identity } from './identity.js';
import { ATTR } from './names.js';
import { SYSTEM_CLOCK, type Clock } from './clock.js';
import { SeriesState } from './SeriesState.js';
import { processWide } from '../core/processWide.js';

/** Series in the order they were made, to read as often as needed; a drained interval's are never copied. */
export interface SeriesList {
  readonly size: number;
  values(): IterableIterator<SeriesState>;
}

/** What {@link IdentityStore.drain} hands over: the series of one interval. */
export interface DrainedInterval {
  readonly series: SeriesList;
  /** Calls and ratings folded into overflow series this interval. */
  readonly overflowed: number;
  /** The ratings of calls given this interval: the latest of each call and user. */
  readonly callRatings: readonly CallRating[];
}

/**
 * The next interval's number, shared by every store, across copies of the package too: a recorder
 * (one per Meter, shared by the copies) keeps memos that stores of either copy read.
 */
const intervals = processWide<{ next: number }>('identity-intervals', () => ({ next: 0 }));

/**
 * Where a caller keeps the series it was last given for one skill, so its next call for the same
 * identity finds it without a lookup. At 10,000 skills the lookups by skill id are what a call
 * costs most (the map and the keys are not in the CPU cache); the skill's own state is.
 */
export interface SeriesMemo {
  memoIdentity: Identity | undefined;
  /** The interval (of any store) the memo belongs to; -1 for none yet. */
  memoInterval: number;
  memoSeries: SeriesState | undefined;
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
  readonly #retentionMs: number | undefined;
  #series = new Map<string, SeriesState>();
  /**
   * The series found for a frozen identity object (a withContext context) and a skill: the calls
   * of one context find theirs without building a key string each time. A frozen identity cannot
   * change, so it always names the same series until the interval is drained.
   */
  #byIdentity = new WeakMap<Identity, Map<string | undefined, SeriesState>>();
  #anonymous = new Map<string | undefined, SeriesState>();
  #intervalStart: number;
  /** Names the current interval among every store's, so a memo of another interval or store is never used. */
  #interval = intervals.next++;
  #overflowed = 0;
  #warned = false;
  /** The latest rating of each call and user this interval, by {@link callRatingKey}. */
  #callRatings = new Map<string, CallRating>();

  /** `retentionMs`: how far back a dated call may go (the database's retention); undefined for no bound. */
  constructor(limit: number, clock: Clock = SYSTEM_CLOCK, retentionMs?: number) {
    this.#limit = limit;
    this.#clock = clock;
    this.#retentionMs = retentionMs;
    this.#intervalStart = clock.now();
  }

  /** The oldest time a dated call may carry as of `nowMs`, or undefined when any is kept. */
  oldestAt(nowMs: number): number | undefined {
    return this.#retentionMs === undefined ? undefined : nowMs - this.#retentionMs;
  }

  /**
   * The series of a call made at `atMs` (a call measured elsewhere): it is kept apart from the
   * interval's and stored with the minute it was made in, so the database counts it in that
   * minute's hour and day.
   */
  datedSeries(skillId: string, identity: Identity | undefined, atMs: number): SeriesState {
    const minute = Math.floor(atMs / 60_000) * 60_000;
    const key = `\u0002${minute}\u0000${skillId}\u0000${identity?.userId ?? ''}\u0000${identity?.orgId ?? ''}\u0000${identity?.agentName ?? ''}`;
    const existing = this.#series.get(key);
    if (existing !== undefined) return existing;
    if (this.#series.size >= this.#limit) return this.#overflow(skillId, minute);
    const series = new SeriesState(identityAttributes(skillId, identity), minute, minute);
    this.#series.set(key, series);
    return series;
  }

  /** The clock intervals are timed by. */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * The series of `skillId` for `identity` in the current interval. With `memo` (one per skill id),
   * a series that may be remembered is also kept there, and found there first.
   */
  series(skillId: string | undefined, identity: Identity | undefined, memo?: SeriesMemo): SeriesState {
    if (memo !== undefined && memo.memoInterval === this.#interval && memo.memoIdentity === identity) return memo.memoSeries as SeriesState;
    const known = this.#knownSeries(identity);
    const cached = known?.get(skillId);
    if (cached !== undefined) return remember(memo, identity, this.#interval, cached);
    const series = this.#find(skillId, identity);
    // An overflow series is not remembered: each call folded into it is counted in `overflowed`.
    if (series === undefined) return this.#overflow(skillId);
    known?.set(skillId, series);
    return known === undefined ? series : remember(memo, identity, this.#interval, series);
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
    const key = `${skillId ?? ''}\u0000${identity?.userId ?? ''}\u0000${identity?.orgId ?? ''}\u0000${identity?.agentName ?? ''}`;
    const existing = this.#series.get(key);
    if (existing !== undefined) return existing;
    if (this.#series.size >= this.#limit) return undefined;
    const series = new SeriesState(identityAttributes(skillId, identity), this.#intervalStart);
    this.#series.set(key, series);
    return series;
  }

  /**
   * Keeps the rating of a call, replacing an earlier one of the same call and user this interval.
   * Past `limit` rated calls in an interval, it is counted in its series' ratings instead, as a
   * rating of the skill that a later one does not replace.
   */
  rateCall(rating: CallRating, identity: Identity | undefined): void {
    const key = callRatingKey(rating.callId, rating.userId);
    if (this.#callRatings.size < this.#limit || this.#callRatings.has(key)) {
      this.#callRatings.delete(key); // in the order given: the latest last
      this.#callRatings.set(key, rating);
      return;
    }
    log.once(
      'identity-store-call-ratings',
      'warn',
      `more than ${this.#limit} rated calls in one SQLite export interval; the rest are counted as ratings of their skill, ` +
        'which a later rating of the same call adds to instead of replacing. Raise ANALYTICS_DB_CARDINALITY_LIMIT or lower ANALYTICS_DB_FLUSH_INTERVAL.',
    );
    this.series(rating.skillId, identity).ratings.record(rating.stars);
  }

  /** Hands over the current interval, as it is (no copy, whatever its size), and starts the next one empty. */
  drain(nowMs: number = this.#clock.now()): DrainedInterval {
    const drained: DrainedInterval = { series: this.#series, overflowed: this.#overflowed, callRatings: [...this.#callRatings.values()] };
    this.#callRatings = new Map();
    this.#series = new Map();
    this.#byIdentity = new WeakMap();
    this.#anonymous = new Map();
    this.#intervalStart = nowMs;
    this.#interval = intervals.next++;
    this.#overflowed = 0;
    this.#warned = false;
    return drained;
  }

  #overflow(skillId: string | undefined, minute?: number): SeriesState {
    this.#overflowed++;
    if (!this.#warned) {
      this.#warned = true;
      log.warn(
        `more than ${this.#limit} skill, user and org combinations in one SQLite export interval; ` +
          'the rest are counted per skill in rows marked overflow = 1. Raise ANALYTICS_DB_CARDINALITY_LIMIT or lower ANALYTICS_DB_FLUSH_INTERVAL.',
      );
    }
    const key = `\u0001${minute ?? ''}\u0000${skillId ?? ''}`;
    let series = this.#series.get(key);
    if (series === undefined) {
      const attributes = { ...(skillId === undefined ? {} : { [ATTR.skillId]: skillId }), [ATTR.overflow]: true };
      series = minute === undefined ? new SeriesState(attributes, this.#intervalStart) : new SeriesState(attributes, minute, minute);
      this.#series.set(key, series);
    }
    return series;
  }
}

function identityAttributes(skillId: string | undefined, identity: Identity | undefined): Record<string, string | boolean> {
  const attributes: Record<string, string | boolean> = skillId === undefined ? { [ATTR.overflow]: true } : { [ATTR.skillId]: skillId };
  if (identity?.userId !== undefined) attributes[ATTR.userId] = identity.userId;
  if (identity?.orgId !== undefined) attributes[ATTR.orgId] = identity.orgId;
  if (identity?.agentName !== undefined) attributes[ATTR.agentName] = identity.agentName;
  return attributes;
}

function remember(memo: SeriesMemo | undefined, identity: Identity | undefined, interval: number, series: SeriesState): SeriesState {
  if (memo !== undefined) {
    memo.memoIdentity = identity;
    memo.memoInterval = interval;
    memo.memoSeries = series;
  }
  return series;
}
