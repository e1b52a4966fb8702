/**
 * Did recommendations work? Of the skills recommended in a window, the share the user called
 * afterwards, overall and per recommender, with the outcomes the application recorded.
 */
import type Database from 'better-sqlite3';
import { sqliteOnly } from './prometheus/sqliteOnly.js';
import { reportScope, type ReportOptions } from './reportScope.js';
import { outcomeRankSql, RECOMMENDATION_OUTCOMES, type RecommendationOutcome } from './recommendationOutcome.js';
import { prepared } from './statements.js';
import type { TimeRange, WindowSpec } from './window.js';

/**
 * The defaults of {@link recommendationEffectiveness}'s options: judge the recommendations of the
 * last 30 days (the window recommend() looks at), logged for any org.
 */
export const EFFECTIVENESS_DEFAULTS = Object.freeze({ window: '30d' as WindowSpec });

/** Counts of recommended skills by the furthest outcome recorded for them; `none` when nothing was recorded. */
export type OutcomeCounts = Record<RecommendationOutcome | 'none', number>;

/** Effectiveness of one set of recommendations. */
export interface EffectivenessFigures {
  /** Distinct (user, skill) pairs recommended in the window: a skill shown to a user again counts once. */
  readonly recommended: number;
  /** Of those, the ones the user called on or after the day of the first recommendation. */
  readonly used: number;
  /** used / recommended; null when nothing was recommended. */
  readonly rate: number | null;
  /** The recommended pairs by the furthest outcome recorded on any of their log rows. */
  readonly outcomes: OutcomeCounts;
}

/** What {@link recommendationEffectiveness} returns. */
export interface RecommendationEffectiveness extends EffectivenessFigures {
  /** The window's label, e.g. '30d'. */
  readonly window: string;
  readonly from: string;
  readonly to: string;
  readonly orgId: string | undefined;
  /** recommendation_log rows in the window (a pair recommended three times is three rows). */
  readonly logged: number;
  /** The same figures per recommender, each pair under the source of its first recommendation. */
  readonly bySource: { readonly co_usage: EffectivenessFigures; readonly trending: EffectivenessFigures };
}

interface PairRow {
  source: string | null;
  logRows: number;
  bestRank: number;
  used: 0 | 1;
}

/**
 * Of the recommendations logged in the window (`timestamp` in [from, to)), per distinct user and
 * skill: whether the user called the skill on or after the day of its first recommendation there
 * (any skill_user_daily row with calls, up to now), and the furthest outcome recorded.
 */
export function recommendationEffectiveness(db: Database.Database, options: ReportOptions = {}): RecommendationEffectiveness {
  sqliteOnly('recommendationEffectiveness', db);
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`recommendationEffectiveness: options must be an object, got ${String(options)}`);
  }
  const window = options.window ?? EFFECTIVENESS_DEFAULTS.window;
  const scope = reportScope('recommendationEffectiveness', { ...options, window });
  const { orgId } = scope;
  const pairs = recommendedPairs(db, scope.window, orgId);
  return {
    window: scope.window.label,
    from: scope.window.from,
    to: scope.window.to,
    orgId,
    logged: pairs.reduce((sum, pair) => sum + pair.logRows, 0),
    ...figures(pairs),
    bySource: {
      co_usage: figures(pairs.filter((pair) => pair.source === 'co_usage')),
      trending: figures(pairs.filter((pair) => pair.source === 'trending')),
    },
  };
}

function recommendedPairs(db: Database.Database, window: TimeRange, orgId: string | undefined): PairRow[] {
  return prepared<{ from: string; to: string; org: string | null }, PairRow>(
    db,
    `WITH pairs AS (
         SELECT user_id, recommended_skill_id AS skill_id, min(id) AS first_id, count(*) AS log_rows,
                max(${outcomeRankSql('outcome')}) AS best_rank
           FROM recommendation_log
          WHERE timestamp >= @from AND timestamp < @to AND (@org IS NULL OR org_id = @org)
          GROUP BY user_id, recommended_skill_id
       )
       SELECT first.source, p.log_rows AS logRows, p.best_rank AS bestRank,
              EXISTS (SELECT 1 FROM skill_user_daily d
                       WHERE d.skill_id = p.skill_id AND d.user_id = p.user_id
                         AND d.day >= substr(first.timestamp, 1, 10) AND d.execution_count > 0) AS used
         FROM pairs p JOIN recommendation_log first ON first.id = p.first_id`,
  ).all({ from: window.from, to: window.to, org: orgId ?? null });
}

function figures(pairs: readonly PairRow[]): EffectivenessFigures {
  const used = pairs.filter((pair) => pair.used === 1).length;
  const outcomes: OutcomeCounts = { none: 0, dismissed: 0, clicked: 0, installed: 0, used: 0 };
  for (const pair of pairs) outcomes[RECOMMENDATION_OUTCOMES[pair.bestRank] ?? 'none']++;
  return { recommended: pairs.length, used, rate: pairs.length === 0 ? null : used / pairs.length, outcomes };
}
