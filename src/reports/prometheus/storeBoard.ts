import { HEALTH_DEFAULTS } from '../../health/healthScore.js';
import { sqliteTime } from '../../store/schema.js';
import type { SkillCounts } from '../hourlyTotals.js';
import {
  rankByImprovement,
  rankByRating,
  rankBySuccessRate,
  rankByUsage,
  rankTrendingNew,
  type HealthPoint,
  type RankedSkill,
} from '../rankings.js';
import { windowHealth } from '../skillHealth.js';
import { timeMs, type ResolvedWindow } from '../window.js';
import { assertMetrics } from './metricCheck.js';
import type { PrometheusSource } from './PrometheusSource.js';
import { hourlyTotals, metricsOf, rangeTotals, type Family, type StoreTotals } from './storeTotals.js';

/** What a board ranks, and over what. */
export interface StoreBoardRequest {
  readonly metric: 'usage' | 'rating' | 'success_rate' | 'most_improved' | 'trending_new';
  readonly window: ResolvedWindow;
  readonly orgId: string | undefined;
  readonly agentName: string | undefined;
  readonly minCalls: number;
  /** The current time, epoch ms: nothing is sampled after it. */
  readonly now: number;
  /** A skill is trending-new when first used within this many window lengths before the window's end. */
  readonly lookbackWindows: number;
}

/** The board's ranking over the window and over the window before, and whether its counts are estimates. */
export interface StoreRanking {
  readonly current: RankedSkill[];
  readonly previous: RankedSkill[];
  /** The skills whose counters were reset in a window read: their counts are estimates. */
  readonly estimated: ReadonlySet<string>;
}

const HOUR_MS = 3_600_000;

/**
 * Ranks skills from a Prometheus store with the same rankers as the SQLite boards: one request
 * checks the metrics, one reads both windows' totals (calls, outcomes, ratings, latency buckets as
 * the metric needs), and `trending_new` makes a third for the first use of its candidates.
 */
export async function storeRanking(source: PrometheusSource, request: StoreBoardRequest): Promise<StoreRanking> {
  const { window, metric } = request;
  const lengthMs = window.lengthMs;
  const scope = { orgId: request.orgId, agentName: request.agentName };
  const families: Family[] = metric === 'most_improved' ? ['calls', 'latency', 'resets'] : ['calls', 'rating', 'resets'];
  const spanStart = timeMs(window.previous.from) - (metric === 'trending_new' ? request.lookbackWindows * lengthMs : 0);
  await assertMetrics(source, metricsOf(families.filter((family) => family !== 'rating')), spanStart, timeMs(window.to), request.orgId);
  const everywhere = { orgId: undefined, agentName: undefined };
  const totals = await rangeTotals(source, scope, timeMs(window.to), request.now, {
    current: { families, rangeMs: lengthMs },
    previous: { families, rangeMs: lengthMs, offsetMs: lengthMs },
    // most_improved ranks the previous window against the one before it, as the SQLite board does.
    earlier: { families: metric === 'most_improved' ? families : [], rangeMs: lengthMs, offsetMs: 2 * lengthMs },
    // The health of most_improved takes every rating of the skill, as the SQLite board takes its all-time ratings.
    ratings: { families: metric === 'most_improved' ? ['rating'] : [], rangeMs: 3 * lengthMs, mode: 'last', scope: everywhere },
    // Calls of any org or agent counted by then, back one lookback more: the skills already in use.
    usedBefore: {
      families: metric === 'trending_new' ? ['calls'] : [],
      rangeMs: request.lookbackWindows * lengthMs,
      offsetMs: request.lookbackWindows * lengthMs,
      mode: 'max',
      scope: everywhere,
    },
    usedBeforePrevious: {
      families: metric === 'trending_new' ? ['calls'] : [],
      rangeMs: request.lookbackWindows * lengthMs,
      offsetMs: (request.lookbackWindows + 1) * lengthMs,
      mode: 'max',
      scope: everywhere,
    },
  });
  const estimated = new Set(
    [totals.current, totals.previous, totals.earlier].flatMap((skills) =>
      [...skills].filter(([, t]) => t.resets > 0).map(([skillId]) => skillId),
    ),
  );
  const health = (which: 'current' | 'previous' | 'earlier') => healthPoints(totals[which], totals.ratings, request.minCalls);
  const rank = (which: 'current' | 'previous'): RankedSkill[] => {
    const counts = totals[which];
    switch (metric) {
      case 'usage':
        return rankByUsage(skillCounts(counts));
      case 'rating':
        return rankByRating(skillCounts(counts));
      case 'success_rate':
        return rankBySuccessRate(skillCounts(counts), request.minCalls);
      case 'most_improved':
        return rankByImprovement(health(which), health(which === 'current' ? 'previous' : 'earlier'), request.minCalls);
      case 'trending_new':
        return [];
    }
  };
  if (metric !== 'trending_new') return { current: rank('current'), previous: rank('previous'), estimated };
  return { ...(await trending(source, request, totals)), estimated };
}

/**
 * trending_new: the skills with calls in a window that no process had counted by the window's
 * lookback start, ranked by calls, each with the day of its first calls as its first use.
 */
async function trending(
  source: PrometheusSource,
  request: StoreBoardRequest,
  totals: Readonly<Record<'current' | 'previous' | 'usedBefore' | 'usedBeforePrevious', Map<string, StoreTotals>>>,
): Promise<Omit<StoreRanking, 'estimated'>> {
  const { window } = request;
  const lookbackMs = request.lookbackWindows * window.lengthMs;
  const isNew = (used: Map<string, StoreTotals>) => (skillId: string) => !((used.get(skillId)?.calls ?? 0) > 0);
  const candidates = [
    ...[...totals.current].filter(([skillId, t]) => t.calls > 0 && isNew(totals.usedBefore)(skillId)).map(([skillId]) => skillId),
    ...[...totals.previous].filter(([skillId, t]) => t.calls > 0 && isNew(totals.usedBeforePrevious)(skillId)).map(([skillId]) => skillId),
  ];
  const firstUse = new Map<string, string>();
  if (candidates.length > 0) {
    const fromMs = timeMs(window.previous.from) - lookbackMs;
    const skillIds = [...new Set(candidates)].sort();
    const hours = await hourlyTotals(source, { orgId: undefined, agentName: undefined, skillIds }, ['calls'], fromMs, timeMs(window.to));
    hours.forEach((hour, index) => {
      // Known to the day, as the SQLite source knows it (from its per-user days), so both rank alike.
      const day = `${sqliteTime(fromMs + index * HOUR_MS).slice(0, 10)} 00:00:00`;
      for (const [skillId, t] of hour) if (t.calls > 0 && !firstUse.has(skillId)) firstUse.set(skillId, day);
    });
  }
  const since = (toMs: number) => sqliteTime(toMs - lookbackMs);
  return {
    current: rankTrendingNew(skillCounts(totals.current), firstUse, since(timeMs(window.to))),
    previous: rankTrendingNew(skillCounts(totals.previous), firstUse, since(timeMs(window.from))),
  };
}

function skillCounts(totals: Map<string, StoreTotals>): Map<string, SkillCounts> {
  return new Map(
    [...totals].map(([skillId, t]) => [
      skillId,
      {
        calls: t.calls,
        successes: t.successes,
        failures: t.failures,
        ratingCount: t.ratingCount,
        ratingSum: t.ratingSum,
        installs: t.installs,
      },
    ]),
  );
}

/** Health per skill with calls, by the SQLite boards' function: the window's calls and buckets, the skill's ratings. */
function healthPoints(window: Map<string, StoreTotals>, ratings: Map<string, StoreTotals>, minCalls: number): Map<string, HealthPoint> {
  const points = new Map<string, HealthPoint>();
  for (const [skillId, t] of window) {
    if (t.calls === 0) continue;
    const rating = ratings.get(skillId);
    const { health } = windowHealth(t, rating, HEALTH_DEFAULTS.latencyTargetMs, minCalls);
    points.set(skillId, { score: health.score, calls: health.calls });
  }
  return points;
}
