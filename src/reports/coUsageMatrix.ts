/**
 * The co-usage matrix of a window: for every pair of skills, how many users used both. Computed
 * from skill_user_daily once per window and org, kept in co_usage_cache and served from it while
 * fresh, so a recommendation costs the user's own skills and a lookup.
 */
import type Database from 'better-sqlite3';
import { sqliteTime } from '../store/schema.js';
import { coUsagePairs, compareIds, MIN_SHARED_USERS, type CoUsagePair } from './coUsage.js';
import { readCoUsage, writeCoUsage, type CoUsageKey } from './coUsageCache.js';
import { positiveOption, reportScope, type ReportOptions, type ReportScope } from './reportScope.js';
import { windowUsersBySkill } from './recommendationQueries.js';
import { dayRange, timeMs, type WindowSpec } from './window.js';

/** Options of {@link coUsageMatrix}. */
export interface CoUsageOptions extends ReportOptions {
  /** Users are counted over the UTC days this window touches. @default '30d' */
  window?: WindowSpec;
  /** Co-usage among this org's users only. @default every org */
  orgId?: string;
  /** Serve the matrix from co_usage_cache while it is younger than this many ms; 0 always recomputes. @default 300000 */
  maxAgeMs?: number;
}

/** The defaults of {@link CoUsageOptions}: those of recommend, which reads the same matrix. */
export const CO_USAGE_DEFAULTS = Object.freeze({ window: '30d' as const satisfies WindowSpec, maxAgeMs: 300_000 });

/** The co-usage counts of a window, as co_usage_cache keeps them. */
export interface CoUsageMatrix {
  /** The window's label: '30d', or 'from..to'. */
  window: string;
  orgId: string | undefined;
  /** When the counts were computed, SQLite UTC time. */
  computedAt: string;
  /** Whether they were served from co_usage_cache. */
  fromCache: boolean;
  /**
   * For each skill A with users in the window, (A, A) with its users, then (A, B) for every skill B
   * sharing at least 2 users with it; ordered by A, then B.
   */
  pairs: CoUsagePair[];
}

/** A validated request for the matrix. */
export interface CoUsageRequest {
  readonly scope: ReportScope;
  readonly maxAgeMs: number;
}

/**
 * The co-usage matrix over a window: users per skill and users shared by each pair of skills, among
 * the users with calls (skill_user_daily rows with execution_count > 0) in the window, of `orgId`
 * or of every org. Written to co_usage_cache (replacing that window's and org's rows) and served
 * from it while younger than `maxAgeMs`; recommend reads the same rows.
 *
 * @throws {TypeError|RangeError} on a malformed window or an out-of-range option.
 */
export function coUsageMatrix(db: Database.Database, options: CoUsageOptions = {}): CoUsageMatrix {
  const matrix = coUsageOf(db, coUsageRequest('coUsageMatrix', options));
  return { ...matrix, pairs: matrix.pairs.sort((a, b) => compareIds(a.skillA, b.skillA) || compareIds(a.skillB, b.skillB)) };
}

/** Validates the options of a call that reads the matrix; `caller` names it in errors. */
export function coUsageRequest(caller: string, options: CoUsageOptions): CoUsageRequest {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${caller}: options must be an object, got ${String(options)}`);
  return {
    scope: reportScope(caller, { ...options, window: options.window ?? CO_USAGE_DEFAULTS.window }),
    maxAgeMs: positiveOption(caller, 'maxAgeMs', options.maxAgeMs, CO_USAGE_DEFAULTS.maxAgeMs, true),
  };
}

/**
 * The matrix of `request`, from the cache when fresh, else computed and cached. With `skills`, only
 * the rows whose skill A is one of them: what a recommendation for a user with those skills reads.
 */
export function coUsageOf(db: Database.Database, request: CoUsageRequest, skills?: ReadonlySet<string>): CoUsageMatrix {
  const { scope, maxAgeMs } = request;
  const key: CoUsageKey = { window: scope.window.label, orgKey: scope.orgId ?? '' };
  const matrix = (computedAt: string, fromCache: boolean, pairs: CoUsagePair[]) => ({ window: key.window, orgId: scope.orgId, computedAt, fromCache, pairs });
  // Not even read when maxAgeMs is 0: nothing cached could be fresh.
  const cached = maxAgeMs > 0 ? readCoUsage(db, key, (computedAt) => isFresh(computedAt, scope.now, maxAgeMs), skills) : undefined;
  if (cached !== undefined) return matrix(cached.computedAt, true, cached.pairs);
  const pairs = coUsagePairs(windowUsersBySkill(db, dayRange(scope.window), scope.orgId), MIN_SHARED_USERS);
  const computedAt = sqliteTime(scope.now);
  if (pairs.length > 0) writeCoUsage(db, key, pairs, computedAt);
  return matrix(computedAt, false, skills === undefined ? pairs : pairs.filter((pair) => skills.has(pair.skillA)));
}

function isFresh(computedAt: string, now: number, maxAgeMs: number): boolean {
  const age = now - timeMs(computedAt);
  return age >= 0 && age < maxAgeMs;
}
