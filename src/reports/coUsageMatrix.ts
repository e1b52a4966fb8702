/**
 * The co-usage matrix of a window: for every pair of skills, how many users used both. Computed
 * from skill_user_daily and skill_user_first on every call; a recommendation computes only the rows
 * of the user's own skills.
 */
import type Database from 'better-sqlite3';
import { sqliteOnly } from './prometheus/sqliteOnly.js';
import { sqliteTime } from '../store/schema.js';
import { coUsagePairs, coUsageRows, compareIds, MIN_SHARED_USERS, type CoUsagePair } from './coUsage.js';
import { hourlySkills } from './hourlyKeys.js';
import { reportScope, type ReportOptions, type ReportScope } from './reportScope.js';
import { windowUsersBySkill } from './recommendationQueries.js';
import { dayRange, type WindowSpec } from './window.js';

/** Options of {@link coUsageMatrix}. */
export interface CoUsageOptions extends ReportOptions {
  /** Users are counted over the UTC days this window touches. @default '30d' */
  window?: WindowSpec;
  /** Co-usage among this org's users only. @default every org */
  orgId?: string;
}

/** The defaults of {@link CoUsageOptions}: those of recommend, which reads the same matrix. */
export const CO_USAGE_DEFAULTS = Object.freeze({ window: '30d' as const satisfies WindowSpec });

/** The co-usage counts of a window. */
export interface CoUsageMatrix {
  /** The window's label: '30d', or 'from..to'. */
  window: string;
  orgId: string | undefined;
  /** When the counts were computed, SQLite UTC time. */
  computedAt: string;
  /**
   * For each skill A with users in the window, (A, A) with its users, then (A, B) for every skill B
   * sharing at least 2 users with it; ordered by A, then B.
   */
  pairs: CoUsagePair[];
}

/** A validated request for the matrix. */
export interface CoUsageRequest {
  readonly scope: ReportScope;
}

/**
 * The co-usage matrix over a window: users per skill and users shared by each pair of skills, among
 * the users with calls (skill_user_daily rows with execution_count > 0) in the window, of `orgId`
 * or of every org. Nothing is written; recommend computes the rows of the user's skills the same way.
 *
 * @throws {TypeError|RangeError} on a malformed window or an out-of-range option.
 */
export function coUsageMatrix(db: Database.Database, options: CoUsageOptions = {}): CoUsageMatrix {
  sqliteOnly('coUsageMatrix', db);
  const matrix = coUsageOf(db, coUsageRequest('coUsageMatrix', options));
  return { ...matrix, pairs: matrix.pairs.sort((a, b) => compareIds(a.skillA, b.skillA) || compareIds(a.skillB, b.skillB)) };
}

/** Validates the options of a call that reads the matrix; `caller` names it in errors. */
export function coUsageRequest(caller: string, options: CoUsageOptions): CoUsageRequest {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${caller}: options must be an object, got ${String(options)}`);
  return {
    scope: reportScope(caller, { ...options, window: options.window ?? CO_USAGE_DEFAULTS.window }),
  };
}

/** The whole matrix of `request`. */
export function coUsageOf(db: Database.Database, request: CoUsageRequest): CoUsageMatrix {
  const { scope } = request;
  const pairs = coUsagePairs(windowUsersBySkill(db, dayRange(scope.window), scope.orgId), MIN_SHARED_USERS);
  return { window: scope.window.label, orgId: scope.orgId, computedAt: sqliteTime(scope.now), pairs };
}

/**
 * The rows of the matrix a recommendation scores: skill A one of the user's `basket`, skill B any
 * skill but those `excluded` (the basket's other skills are kept, as scoring ignores them). Only the
 * users of those skills are read, and none when no skill with calls is left to recommend.
 */
export function coUsageRowsOf(
  db: Database.Database,
  request: CoUsageRequest,
  basket: ReadonlySet<string>,
  excluded: ReadonlySet<string>,
): CoUsagePair[] {
  const candidates = hourlySkills(db).filter((skillId) => !excluded.has(skillId) && !basket.has(skillId));
  if (candidates.length === 0) return [];
  const skills = new Set([...basket, ...candidates]);
  return coUsageRows(windowUsersBySkill(db, dayRange(request.scope.window), request.scope.orgId, skills), MIN_SHARED_USERS, basket);
}
