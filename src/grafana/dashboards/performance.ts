import { CALLS, FAILED, LATENCY_COUNT, LATENCY_SUM, SUCCESS, chosen, increaseBySkill, latencyQuantile } from '../promql.js';
import type { DashboardSpec, PanelSpec, ThresholdStep } from '../panelSpec.js';
import { CHOSEN_SKILLS, HOURS_IN_RANGE, cumulativeBuckets, failuresByType, intervalStart, quantileOfBuckets } from '../sql.js';

const SUCCESS_THRESHOLDS: readonly ThresholdStep[] = [
  { value: null, color: 'red' },
  { value: 0.9, color: 'orange' },
  { value: 0.99, color: 'green' },
];

const P95_OVER_TIME: PanelSpec = {
  title: 'p95 latency by skill',
  description: '95th percentile of call duration per interval, interpolated in the histogram buckets (histogram_quantile).',
  kind: 'timeseries',
  unit: 'ms',
  width: 24,
  prometheus: [{ expr: latencyQuantile(0.95, '$interval'), legend: '{{skill_id}}' }],
  sqlite: {
    sql: `SELECT time, skill_id, ${quantileOfBuckets(0.95)} AS p95_ms
FROM (
  SELECT ${intervalStart('hour')} AS time, skill_id,
       ${cumulativeBuckets()}
  FROM skill_usage_hourly
  WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
  GROUP BY 1, 2
) WHERE c15 > 0 ORDER BY time, skill_id`,
    columns: ['time', 'skill_id', 'p95_ms'],
  },
};

const PERCENTILES: PanelSpec = {
  title: 'Latency percentiles by skill',
  description: 'p50, p95 and p99 call duration over the time range, the same figures as `toolweaver-analytics latency`.',
  kind: 'table',
  unit: 'ms',
  decimals: 1,
  columnUnits: { calls: 'short' },
  width: 24,
  prometheus: [
    { expr: latencyQuantile(0.5, '$__range'), column: 'p50_ms' },
    { expr: latencyQuantile(0.95, '$__range'), column: 'p95_ms' },
    { expr: latencyQuantile(0.99, '$__range'), column: 'p99_ms' },
  ],
  sqlite: {
    sql: `SELECT skill_id, c15 AS calls, ${quantileOfBuckets(0.5)} AS p50_ms, ${quantileOfBuckets(0.95)} AS p95_ms, ${quantileOfBuckets(0.99)} AS p99_ms
FROM (
  SELECT skill_id,
       ${cumulativeBuckets()}
  FROM skill_usage_hourly
  WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
  GROUP BY skill_id
) WHERE c15 > 0 ORDER BY calls DESC, skill_id`,
    columns: ['skill_id', 'calls', 'p50_ms', 'p95_ms', 'p99_ms'],
  },
};

const SUCCESS_RATE: PanelSpec = {
  title: 'Success rate',
  description: 'Share of all calls of the chosen skills that succeeded in the time range.',
  kind: 'gauge',
  unit: 'percentunit',
  min: 0,
  max: 1,
  decimals: 1,
  thresholds: SUCCESS_THRESHOLDS,
  width: 6,
  prometheus: [{ expr: `sum(increase(${chosen(SUCCESS)}[$__range])) / sum(increase(${chosen(CALLS)}[$__range]))`, column: 'success_rate' }],
  sqlite: {
    sql: `SELECT sum(success_count) * 1.0 / sum(execution_count) AS success_rate
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}`,
    columns: ['success_rate'],
  },
};

const MEAN_LATENCY: PanelSpec = {
  title: 'Mean execution time',
  description: 'Mean duration of the calls of the chosen skills in the time range.',
  kind: 'stat',
  unit: 'ms',
  decimals: 1,
  width: 6,
  prometheus: [
    { expr: `sum(increase(${chosen(LATENCY_SUM)}[$__range])) / sum(increase(${chosen(LATENCY_COUNT)}[$__range]))`, column: 'mean_ms' },
  ],
  sqlite: {
    sql: `SELECT sum(latency_sum_ms) / sum(execution_count) AS mean_ms
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}`,
    columns: ['mean_ms'],
  },
};

const ERRORS_BY_TYPE: PanelSpec = {
  title: 'Failures by error type',
  description: 'Failed calls in the time range by error_type (timeout, cancelled, validation, auth, rate_limited, upstream, internal).',
  kind: 'barchart',
  width: 12,
  prometheus: [{ expr: `sum by (error_type) (increase(${chosen(FAILED)}[$__range]))`, column: 'failures' }],
  sqlite: {
    sql: `WITH chosen AS (SELECT * FROM skill_usage_hourly WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS})
${failuresByType('chosen')}`,
    columns: ['error_type', 'failures'],
  },
};

const ERROR_RATE: PanelSpec = {
  title: 'Error rate by skill',
  description: 'Share of calls that failed, per interval; skills without failures in an interval show no point.',
  kind: 'timeseries',
  unit: 'percentunit',
  min: 0,
  width: 24,
  prometheus: [{ expr: `${increaseBySkill(FAILED, '$interval')} / ${increaseBySkill(CALLS, '$interval')}`, legend: '{{skill_id}}' }],
  sqlite: {
    sql: `SELECT ${intervalStart('hour')} AS time, skill_id, sum(failure_count) * 1.0 / sum(execution_count) AS error_rate
FROM skill_usage_hourly
WHERE ${HOURS_IN_RANGE} AND ${CHOSEN_SKILLS}
GROUP BY 1, 2 HAVING sum(failure_count) > 0 ORDER BY 1, 2`,
    columns: ['time', 'skill_id', 'error_rate'],
  },
};

/** The guide's "Performance Metrics": execution time, success and error rates, latency percentiles, error types. */
export const PERFORMANCE: DashboardSpec = {
  key: 'performance',
  title: 'Performance',
  description: 'How fast the skills answer and how often they fail, and why.',
  panels: [SUCCESS_RATE, MEAN_LATENCY, ERRORS_BY_TYPE, P95_OVER_TIME, ERROR_RATE, PERCENTILES],
};
