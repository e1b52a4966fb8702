import { RATING_PRIOR_WEIGHT } from '../../reports/rankings.js';
import { CALLS, RATING_COUNT, RATING_SUM, chosen, increaseBySkill, successRate } from '../promql.js';
import type { DashboardSpec, PanelSpec } from '../panelSpec.js';
import { CHOSEN_SKILLS, HOURS_IN_RANGE, PREVIOUS_FROM, RANGE_FROM, RANGE_TO, unixSeconds } from '../sql.js';

/** Calls a skill needs in each range to be ranked by improvement, as the most_improved leaderboard. */
const MIN_CALLS = 20;

const TOP_USAGE: PanelSpec = {
  title: 'Top 10 skills by usage',
  description: 'The most called skills in the time range.',
  kind: 'barchart',
  prometheus: [{ expr: `topk(10, ${increaseBySkill(CALLS, '$__range')})`, column: 'calls' }],
  sqlite: {
    sql: `SELECT skill_id, sum(execution_count) AS calls
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
GROUP BY skill_id ORDER BY calls DESC, skill_id LIMIT 10`,
    columns: ['skill_id', 'calls'],
  },
};

const ratingMean = `scalar(sum(increase(${chosen(RATING_SUM)}[$__range])) / sum(increase(${chosen(RATING_COUNT)}[$__range])))`;
const bayesianRating = `(${increaseBySkill(RATING_SUM, '$__range')} + ${RATING_PRIOR_WEIGHT} * ${ratingMean}) / (${increaseBySkill(RATING_COUNT, '$__range')} + ${RATING_PRIOR_WEIGHT})`;
const ratedInRange = `${increaseBySkill(RATING_COUNT, '$__range')} > 0`;

const TOP_RATED: PanelSpec = {
  title: 'Top skills by rating',
  description:
    `Bayesian average of the 1-5 star ratings in the range: the range's mean rating counts as ${RATING_PRIOR_WEIGHT} votes, ` +
    'so a skill with one 5-star vote does not outrank one with hundreds of 4.8s (the rating leaderboard of the CLI).',
  kind: 'table',
  prometheus: [
    { expr: `topk(10, ${bayesianRating} and on (skill_id) ${ratedInRange})`, column: 'rating' },
    {
      expr: `${increaseBySkill(RATING_COUNT, '$__range')} and on (skill_id) topk(10, ${bayesianRating} and on (skill_id) ${ratedInRange})`,
      column: 'ratings',
    },
  ],
  sqlite: {
    sql: `WITH rated AS (
  SELECT skill_id, sum(rating_sum) AS stars, sum(rating_count) AS ratings
  FROM skill_usage_hourly
  WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
  GROUP BY skill_id HAVING sum(rating_count) > 0
), prior AS (SELECT sum(stars) * 1.0 / sum(ratings) AS mean FROM rated)
SELECT skill_id, (stars + ${RATING_PRIOR_WEIGHT} * prior.mean) / (ratings + ${RATING_PRIOR_WEIGHT}) AS rating, ratings, stars * 1.0 / ratings AS mean_rating
FROM rated, prior ORDER BY rating DESC, ratings DESC, skill_id LIMIT 10`,
    columns: ['skill_id', 'rating', 'ratings', 'mean_rating'],
  },
};

const improved = `(${successRate('$__range')} - ${successRate('$__range', '$__range')})`;
const busyInBoth =
  `and on (skill_id) ${increaseBySkill(CALLS, '$__range')} >= ${MIN_CALLS} ` +
  `and on (skill_id) ${increaseBySkill(CALLS, '$__range', '$__range')} >= ${MIN_CALLS}`;

const MOST_IMPROVED: PanelSpec = {
  title: 'Most improved skills',
  description: `Rise of the success rate against the range just before, for skills with at least ${MIN_CALLS} calls in both.`,
  kind: 'table',
  unit: 'percentunit',
  prometheus: [{ expr: `topk(10, ${improved} ${busyInBoth})`, column: 'improvement' }],
  sqlite: {
    sql: `WITH two AS (
  SELECT skill_id,
         sum(CASE WHEN hour >= ${RANGE_FROM} THEN execution_count ELSE 0 END) AS calls,
         sum(CASE WHEN hour >= ${RANGE_FROM} THEN success_count ELSE 0 END) AS successes,
         sum(CASE WHEN hour < ${RANGE_FROM} THEN execution_count ELSE 0 END) AS previous_calls,
         sum(CASE WHEN hour < ${RANGE_FROM} THEN success_count ELSE 0 END) AS previous_successes
  FROM skill_usage_hourly
  WHERE hour >= ${PREVIOUS_FROM} AND hour < ${RANGE_TO} AND ${CHOSEN_SKILLS}
  GROUP BY skill_id
)
SELECT skill_id, successes * 1.0 / calls - previous_successes * 1.0 / previous_calls AS improvement,
       successes * 1.0 / calls AS success_rate, previous_successes * 1.0 / previous_calls AS previous_success_rate
FROM two WHERE calls >= ${MIN_CALLS} AND previous_calls >= ${MIN_CALLS}
ORDER BY improvement DESC, skill_id LIMIT 10`,
    columns: ['skill_id', 'improvement', 'success_rate', 'previous_success_rate'],
  },
};

const TRENDING_NEW: PanelSpec = {
  title: 'Trending new skills',
  description: 'Skills first called within the time range, most called first.',
  kind: 'table',
  // A skill's counter exists from wrap() on with 0 calls, so 'new' means no call before the range.
  prometheus: [
    { expr: `${increaseBySkill(CALLS, '$__range')} > 0 unless on (skill_id) (${chosen(CALLS)} offset $__range > 0)`, column: 'calls' },
  ],
  sqlite: {
    sql: `SELECT skill_id, ${unixSeconds('min(hour)')} AS first_used,
       sum(CASE WHEN ${HOURS_IN_RANGE} THEN execution_count ELSE 0 END) AS calls
FROM skill_usage_hourly
WHERE ${CHOSEN_SKILLS} AND hour < ${RANGE_TO}
GROUP BY skill_id HAVING min(hour) >= ${RANGE_FROM}
ORDER BY calls DESC, skill_id LIMIT 10`,
    columns: ['skill_id', 'first_used', 'calls'],
    timeColumns: ['first_used'],
  },
};

/** The guide's "Leaderboards": top by usage, by rating, most improved, trending new. */
export const LEADERBOARDS: DashboardSpec = {
  key: 'leaderboards',
  title: 'Leaderboards',
  description: 'Which skills are used most, rated best, improving fastest, and new and rising.',
  panels: [TOP_USAGE, TOP_RATED, MOST_IMPROVED, TRENDING_NEW],
};
