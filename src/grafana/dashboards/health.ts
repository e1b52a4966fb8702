import { HEALTH_REPORT_DEFAULTS } from '../../reports/healthReport.js';
import { CALLS, HEALTH_SCORE, chosen, increaseBySkill } from '../promql.js';
import { HEALTH_THRESHOLDS, type DashboardSpec, type PanelSpec } from '../panelSpec.js';
import { CHOSEN_SKILLS, RANGE_FROM, RANGE_TO, unixSeconds } from '../sql.js';

const IDLE_DAYS = HEALTH_REPORT_DEFAULTS.deprecatedAfterDays;

/** One health series per skill: replicas of an application each report the score; their mean is shown. */
const healthBySkill = `avg by (skill_id) (${chosen(HEALTH_SCORE)})`;

/** The health samples of the range: the live score the SQLite backend stores every 5 minutes. */
const HEALTH_SAMPLES = `WITH samples AS (
  SELECT json_extract(s.attributes, '$.skill_id') AS skill_id, p.timestamp, p.value
  FROM metric_points p JOIN metric_series s ON s.id = p.series_id
  WHERE s.name = '${HEALTH_SCORE}' AND p.timestamp >= ${RANGE_FROM} AND p.timestamp < ${RANGE_TO}
)`;

const HEALTH_NOW: PanelSpec = {
  title: 'Health score by skill',
  description:
    'Health 0-100 from success rate, p95 latency against target, rating and usage over the last 15 minutes (docs/health.md); latest value in the range.',
  kind: 'gauge',
  unit: 'none',
  min: 0,
  max: 100,
  decimals: 0,
  thresholds: HEALTH_THRESHOLDS,
  width: 24,
  prometheus: [{ expr: `sort(${healthBySkill})`, column: 'health' }],
  sqlite: {
    sql: `${HEALTH_SAMPLES}
SELECT skill_id, value AS health FROM samples
WHERE ${CHOSEN_SKILLS} AND timestamp = (SELECT max(timestamp) FROM samples AS later WHERE later.skill_id = samples.skill_id)
ORDER BY health, skill_id`,
    columns: ['skill_id', 'health'],
  },
};

const HEALTH_HISTORY: PanelSpec = {
  title: 'Health over time',
  description: 'Health score of each skill over the time range.',
  kind: 'timeseries',
  min: 0,
  max: 100,
  thresholds: HEALTH_THRESHOLDS,
  width: 24,
  prometheus: [{ expr: healthBySkill, legend: '{{skill_id}}' }],
  sqlite: {
    sql: `${HEALTH_SAMPLES}
SELECT ${unixSeconds('timestamp')} AS time, skill_id, value AS health FROM samples
WHERE ${CHOSEN_SKILLS} ORDER BY time, skill_id`,
    columns: ['time', 'skill_id', 'health'],
  },
};

const DEPRECATION: PanelSpec = {
  title: 'Deprecation candidates',
  description:
    `SQLite: the skills used least recently, with idle days; 'yes' after ${IDLE_DAYS} days without a call, as the health report. ` +
    'Prometheus: the 10 least called skills in the range, with their health.',
  kind: 'table',
  width: 12,
  prometheus: [
    { expr: `bottomk(10, ${increaseBySkill(CALLS, '$__range')})`, column: 'calls' },
    { expr: `${healthBySkill} and on (skill_id) bottomk(10, ${increaseBySkill(CALLS, '$__range')})`, column: 'health' },
  ],
  sqlite: {
    sql: `SELECT skill_id, ${unixSeconds('max(hour)')} AS last_used,
       CAST(julianday(${RANGE_TO}) - julianday(max(hour)) AS INTEGER) AS idle_days,
       CASE WHEN max(hour) < datetime($__to / 1000, 'unixepoch', '-${IDLE_DAYS} days') THEN 'yes' ELSE 'no' END AS deprecated
FROM skill_usage_hourly
WHERE ${CHOSEN_SKILLS} AND execution_count > 0 AND hour < ${RANGE_TO}
GROUP BY skill_id ORDER BY last_used, skill_id LIMIT 20`,
    columns: ['skill_id', 'last_used', 'idle_days', 'deprecated'],
    timeColumns: ['last_used'],
  },
};

const EFFECTIVENESS: PanelSpec = {
  title: 'Recommendation effectiveness',
  description:
    'Recommendations logged in the range (one per user and skill) and how many the user went on to call, by recommender; ' +
    'the figures of recommendationEffectiveness().',
  kind: 'table',
  width: 12,
  columnUnits: { used_rate: 'percentunit' },
  sqlite: {
    sql: `WITH pairs AS (
  SELECT user_id, recommended_skill_id AS skill_id, min(id) AS first_id
  FROM recommendation_log
  WHERE timestamp >= ${RANGE_FROM} AND timestamp < ${RANGE_TO}
  GROUP BY user_id, recommended_skill_id
), judged AS (
  SELECT first.source,
         EXISTS (SELECT 1 FROM skill_user_daily d
                  WHERE d.skill_id = p.skill_id AND d.user_id = p.user_id
                    AND d.day >= substr(first.timestamp, 1, 10) AND d.execution_count > 0) AS used
  FROM pairs p JOIN recommendation_log first ON first.id = p.first_id
)
SELECT source, recommended, used, used_rate FROM (
  SELECT 0 AS position, 'all' AS source, count(*) AS recommended, sum(used) AS used, avg(used) AS used_rate FROM judged
  UNION ALL
  SELECT 1, coalesce(source, '(unknown)'), count(*), sum(used), avg(used) FROM judged GROUP BY source
) ORDER BY position, source`,
    columns: ['source', 'recommended', 'used', 'used_rate'],
  },
};

/** The guide's "Health Dashboard": scores, deprecated skills, recommendation effectiveness. */
export const HEALTH: DashboardSpec = {
  key: 'health',
  title: 'Health',
  description: 'Which skills are healthy, which are candidates for deprecation, and whether recommendations are taken up.',
  panels: [HEALTH_NOW, HEALTH_HISTORY, DEPRECATION, EFFECTIVENESS],
};
