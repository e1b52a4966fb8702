/**
 * Recommendations for a user: skills they have never used, from co-usage ("users who used X also
 * used Y") in the window, filled with rising and popular skills when co-usage has too few. Every
 * recommendation is logged in recommendation_log, where its outcome is recorded later.
 * The algorithm and its formulas are in docs/recommendations.md.
 */
import type Database from 'better-sqlite3';
import { sqliteOnly } from './prometheus/sqliteOnly.js';
import { OVERFLOW_SKILL_ID } from '../store/schema.js';
import { sqliteTime } from '../store/schema.js';
import { MIN_SHARED_USERS, scoreCoUsage, type CoUsageCandidate } from './coUsage.js';
import { CO_USAGE_DEFAULTS, coUsageRequest, coUsageRowsOf, type CoUsageRequest } from './coUsageMatrix.js';
import { wholeNumberOption, type ReportOptions, type ReportScope } from './reportScope.js';
import { latestOrg, skillCalls, skillsEverUsed, userSkillsInWindow } from './recommendationQueries.js';
import { prepared } from './statements.js';
import { trendingCandidates } from './trendingCandidates.js';
import { dayRange, type ResolvedWindow, type WindowSpec } from './window.js';

export { recordRecommendationOutcome, RECOMMENDATION_OUTCOMES } from './recommendationOutcome.js';
export type { RecommendationOutcome, RecordedOutcome } from './recommendationOutcome.js';
export { recommendationEffectiveness, EFFECTIVENESS_DEFAULTS } from './recommendationEffectiveness.js';
export type { EffectivenessFigures, OutcomeCounts, RecommendationEffectiveness } from './recommendationEffectiveness.js';

/** Which recommender found a skill. */
export type RecommendationSource = 'co_usage' | 'trending';

/** One recommended skill, as logged. */
export interface Recommendation {
  /** The recommendation_log row: pass it to recordRecommendationOutcome. */
  readonly id: number;
  readonly skillId: string;
  /** 0 to 1. Co-usage scores are above 0.5, trending ones at most 0.5, so co-usage always ranks first. */
  readonly score: number;
  /** The strongest evidence, e.g. `users who used web_search also used summarize (12 of 40 users)`. */
  readonly reason: string;
  readonly source: RecommendationSource;
}

/** Options of {@link recommend}. */
export interface RecommendOptions extends ReportOptions {
  /** Whom to recommend to. */
  userId: string;
  /** At most this many skills. @default 5 */
  limit?: number;
  /** Co-usage is computed over the days of this window, trending against the window before it. @default '30d' */
  window?: WindowSpec;
  /** Co-usage among this org's users and trending from its calls only; also the org logged. @default every org */
  orgId?: string;
}

/** The defaults of {@link RecommendOptions}, and the two thresholds of the algorithm. */
export const RECOMMEND_DEFAULTS = Object.freeze({
  limit: 5,
  window: CO_USAGE_DEFAULTS.window,
  /** Two skills are co-used only when at least this many users used both in the window. */
  minSharedUsers: MIN_SHARED_USERS,
  /** A skill with fewer calls in a window is not recommended as trending, nor is growth from fewer calls believed. */
  minTrendingCalls: 10,
});

/**
 * Recommends up to `limit` skills `userId` has never used (per skill_user_first and
 * skill_user_daily) and logs each one in recommendation_log at `now`.
 *
 * Co-usage first: each candidate's mean cosine similarity s to the skills the user called in the
 * window (over the users in scope), scored 0.5 + 0.5·s. Then, for the places left (an unknown
 * user, one without co-usage, or too few candidates), trending skills scored 0 to 0.5. Best first;
 * equal scores go to the smaller skill id, so the same data gives the same list.
 *
 * The co-usage counts are computed on every call, only for the rows of the user's own skills (see
 * coUsageMatrix); the only write is the log.
 *
 * @throws {TypeError|RangeError} on invalid options, naming the option, and a TypeError on a
 * read-only connection: recommendations are logged.
 */
export function recommend(db: Database.Database, options: RecommendOptions): Recommendation[] {
  sqliteOnly('recommend', db);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`recommend: options must be an object with at least { userId }, got ${String(options)}`);
  }
  const request = coUsageRequest('recommend', { ...options, window: options.window ?? RECOMMEND_DEFAULTS.window });
  const { scope } = request;
  const userId = userIdOption(options.userId);
  if (db.readonly) {
    throw new TypeError(
      'recommend: the database is open read-only, but every recommendation is logged; open it with openAnalyticsDatabase(path) without readonly',
    );
  }
  const limit = wholeNumberOption('recommend', 'limit', options.limit, 1, RECOMMEND_DEFAULTS.limit);
  const picks = pickRecommendations(db, userId, request, limit);
  return logRecommendations(db, picks, { userId, orgId: scope.orgId ?? latestOrg(db, userId), timestamp: sqliteTime(scope.now) });
}

/**
 * What {@link recommend} would recommend to `options.userId` now, without logging it: for a report
 * that shows a user's recommendations and must not write (it would count them as made). Works on a
 * read-only connection.
 * @throws {TypeError|RangeError} on invalid options, as recommend.
 */
export function previewRecommendations(db: Database.Database, options: RecommendOptions): Unlogged[] {
  sqliteOnly('previewRecommendations', db);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`previewRecommendations: options must be an object with at least { userId }, got ${String(options)}`);
  }
  const request = coUsageRequest('previewRecommendations', { ...options, window: options.window ?? RECOMMEND_DEFAULTS.window });
  const limit = wholeNumberOption('previewRecommendations', 'limit', options.limit, 1, RECOMMEND_DEFAULTS.limit);
  return pickRecommendations(db, userIdOption(options.userId), request, limit);
}

function pickRecommendations(db: Database.Database, userId: string, request: CoUsageRequest, limit: number): Unlogged[] {
  const excluded = skillsEverUsed(db, userId).add(OVERFLOW_SKILL_ID);
  const picks = fromCoUsage(db, userId, request, excluded).slice(0, limit);
  if (picks.length < limit) {
    for (const pick of picks) excluded.add(pick.skillId);
    picks.push(...fromTrending(db, request.scope, excluded).slice(0, limit - picks.length));
  }
  return picks;
}

/** A recommendation before it is logged. */
export type Unlogged = Omit<Recommendation, 'id'>;

function fromCoUsage(db: Database.Database, userId: string, request: CoUsageRequest, excluded: ReadonlySet<string>): Unlogged[] {
  const basket = userSkillsInWindow(db, userId, dayRange(request.scope.window));
  if (basket.size === 0) return [];
  const pairs = coUsageRowsOf(db, request, basket, excluded);
  return scoreCoUsage({ pairs, basket, excluded, minSharedUsers: RECOMMEND_DEFAULTS.minSharedUsers }).map(toUnlogged);
}

function toUnlogged(candidate: CoUsageCandidate): Unlogged {
  const { basedOn, sharedUsers, basedOnUsers } = candidate.evidence;
  return {
    skillId: candidate.skillId,
    score: 0.5 + 0.5 * candidate.similarity,
    reason: `users who used ${basedOn} also used ${candidate.skillId} (${sharedUsers} of ${basedOnUsers} users)`,
    source: 'co_usage',
  };
}

function fromTrending(db: Database.Database, scope: ReportScope, excluded: ReadonlySet<string>): Unlogged[] {
  const calls = skillCalls(db, scope.window, scope.orgId).filter((skill) => skill.skillId !== OVERFLOW_SKILL_ID);
  const candidates = trendingCandidates({
    calls,
    excluded,
    minCalls: RECOMMEND_DEFAULTS.minTrendingCalls,
    windowPhrase: windowPhrase(scope.window),
  });
  return candidates.map((candidate) => ({ ...candidate, source: 'trending' }));
}

/** How a reason names the window: 'this week' for 7d, 'in the last 30 days', 'in the last 24 hours', or the explicit range. */
export function windowPhrase(window: Pick<ResolvedWindow, 'label' | 'from' | 'to'>): string {
  const match = /^(\d+)([hd])$/.exec(window.label);
  if (match === null) return `between ${window.from} and ${window.to} UTC`;
  const count = Number(match[1]);
  const unit = match[2] === 'd' ? 'day' : 'hour';
  if (count === 7 && unit === 'day') return 'this week';
  return count === 1 ? `in the last ${unit}` : `in the last ${count} ${unit}s`;
}

const LOG_SQL = `INSERT INTO recommendation_log (user_id, org_id, recommended_skill_id, score, reason, source, timestamp)
VALUES (?, ?, ?, ?, ?, ?, ?)`;

interface LogContext {
  readonly userId: string;
  readonly orgId: string | undefined;
  readonly timestamp: string;
}

/** Inserts the picks in one transaction and returns them with their recommendation_log ids, in order. */
function logRecommendations(db: Database.Database, picks: readonly Unlogged[], context: LogContext): Recommendation[] {
  if (picks.length === 0) return [];
  const insert = prepared<[string, string | null, string, number, string, string, string]>(db, LOG_SQL);
  const logAll = db.transaction(() =>
    picks.map((pick) => {
      const { lastInsertRowid } = insert.run(
        context.userId,
        context.orgId ?? null,
        pick.skillId,
        pick.score,
        pick.reason,
        pick.source,
        context.timestamp,
      );
      return { id: Number(lastInsertRowid), ...pick };
    }),
  );
  return logAll.immediate();
}

function userIdOption(userId: unknown): string {
  if (typeof userId === 'string' && userId !== '') return userId;
  throw new TypeError(`recommend: option "userId" must be a non-empty string, got ${JSON.stringify(userId) ?? String(userId)}`);
}
