import type { SkillCounts } from './hourlyTotals.js';

/** Figures behind a leaderboard score, by name. */
export type EntryDetails = Record<string, number | string | null>;

/** One skill placed on a board, before ranks are numbered. */
export interface RankedSkill {
  readonly skillId: string;
  readonly score: number;
  readonly details: EntryDetails;
}

/** How many imaginary votes at the window's mean rating every skill starts with. */
export const RATING_PRIOR_WEIGHT = 10;

/** A skill's health over two consecutive windows, as the most-improved board needs it. */
export interface HealthPoint {
  /** 0-100, undefined below the minimum number of calls. */
  readonly score: number | undefined;
  readonly calls: number;
}

/**
 * The Bayesian average of a skill's ratings: `(C × m + Σ stars) / (C + n)`, its own mean pulled
 * towards the prior mean `m` as if it had `C` more votes at `m`.
 */
export function bayesianAverage(
  ratingSum: number,
  ratingCount: number,
  priorMean: number,
  priorWeight: number = RATING_PRIOR_WEIGHT,
): number {
  return (priorWeight * priorMean + ratingSum) / (priorWeight + ratingCount);
}

/** Skills with calls, by calls; ties by skill id. */
export function rankByUsage(counts: ReadonlyMap<string, SkillCounts>): RankedSkill[] {
  const ranked = [...counts]
    .filter(([, c]) => c.calls > 0)
    .map(([skillId, c]) => ({ skillId, score: c.calls, details: { calls: c.calls, successes: c.successes, failures: c.failures } }));
  return ranked.sort((a, b) => b.score - a.score || bySkill(a, b));
}

/**
 * Skills rated in the window, by {@link bayesianAverage} with the mean of every rating in the
 * window as the prior mean and {@link RATING_PRIOR_WEIGHT} votes as its weight; ties by more
 * ratings, then skill id.
 */
export function rankByRating(counts: ReadonlyMap<string, SkillCounts>, priorWeight: number = RATING_PRIOR_WEIGHT): RankedSkill[] {
  const rated = [...counts].filter(([, c]) => c.ratingCount > 0);
  let sum = 0;
  let count = 0;
  for (const [, c] of rated) {
    sum += c.ratingSum;
    count += c.ratingCount;
  }
  const priorMean = count > 0 ? sum / count : 0;
  const ranked = rated.map(([skillId, c]) => ({
    skillId,
    score: bayesianAverage(c.ratingSum, c.ratingCount, priorMean, priorWeight),
    details: { ratings: c.ratingCount, meanRating: c.ratingSum / c.ratingCount, priorMean, priorWeight },
  }));
  return ranked.sort((a, b) => b.score - a.score || b.details.ratings - a.details.ratings || bySkill(a, b));
}

/** Skills with at least `minCalls` calls, by the share that succeeded; ties by more calls, then skill id. */
export function rankBySuccessRate(counts: ReadonlyMap<string, SkillCounts>, minCalls: number): RankedSkill[] {
  const ranked = [...counts]
    .filter(([, c]) => c.calls > 0 && c.calls >= minCalls)
    .map(([skillId, c]) => ({
      skillId,
      score: c.successes / c.calls,
      details: { calls: c.calls, successes: c.successes, failures: c.failures, minCalls },
    }));
  return ranked.sort((a, b) => b.score - a.score || b.details.calls - a.details.calls || bySkill(a, b));
}

/**
 * Skills scored in both windows whose health rose, by the rise in points (one decimal, like the
 * scores); ties by the higher current score, then skill id.
 */
export function rankByImprovement(
  current: ReadonlyMap<string, HealthPoint>,
  previous: ReadonlyMap<string, HealthPoint>,
  minCalls: number,
): RankedSkill[] {
  const ranked: (RankedSkill & { health: number })[] = [];
  for (const [skillId, now] of current) {
    const before = previous.get(skillId);
    if (now.score === undefined || before?.score === undefined) continue;
    const rise = Math.round((now.score - before.score) * 10) / 10;
    if (!(rise > 0)) continue;
    const details = { health: now.score, previousHealth: before.score, calls: now.calls, previousCalls: before.calls, minCalls };
    ranked.push({ skillId, score: rise, details, health: now.score });
  }
  ranked.sort((a, b) => b.score - a.score || b.health - a.health || bySkill(a, b));
  return ranked.map(({ skillId, score, details }) => ({ skillId, score, details }));
}

/**
 * Skills first used at or after `since` (SQLite UTC time) with calls in the window, by calls;
 * ties by skill id. `firstUse` holds each skill's first use, 'YYYY-MM-DD HH:MM:SS'.
 */
export function rankTrendingNew(
  counts: ReadonlyMap<string, SkillCounts>,
  firstUse: ReadonlyMap<string, string>,
  since: string,
): RankedSkill[] {
  const ranked: RankedSkill[] = [];
  for (const [skillId, c] of counts) {
    const first = firstUse.get(skillId);
    if (c.calls > 0 && first !== undefined && first >= since)
      ranked.push({ skillId, score: c.calls, details: { calls: c.calls, firstUse: first } });
  }
  return ranked.sort((a, b) => b.score - a.score || bySkill(a, b));
}

function bySkill(a: RankedSkill, b: RankedSkill): number {
  return a.skillId < b.skillId ? -1 : a.skillId > b.skillId ? 1 : 0;
}
