/**
 * SQL building blocks of the SQLite panels. They read the exporter's tables through the
 * frser-sqlite-datasource plugin, whose frontend replaces Grafana variables in the query text:
 * `$__from` and `$__to` (epoch milliseconds), `${skill:sqlstring}` (the chosen skills as quoted
 * SQL strings) and `$interval` (seconds, from the dashboard's interval variable).
 */
import { ERROR_TYPES } from '../instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS } from '../instruments/names.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../instruments/perCallColumns.js';

/** Start of the dashboard's time range as SQLite UTC text, comparable with the tables' times. */
export const RANGE_FROM = "datetime($__from / 1000, 'unixepoch')";
/** End of the dashboard's time range as SQLite UTC text. */
export const RANGE_TO = "datetime($__to / 1000, 'unixepoch')";
/** Start of the range before the dashboard's, as long as it: for growth against the previous range. */
export const PREVIOUS_FROM = "datetime((2 * $__from - $__to) / 1000, 'unixepoch')";

/** skill_usage_hourly rows of the time range (compares text, so the hour index serves it). */
export const HOURS_IN_RANGE = `hour >= ${RANGE_FROM} AND hour < ${RANGE_TO}`;
/** Rows of a per-day table (`day` 'YYYY-MM-DD') within the time range. */
export const DAYS_IN_RANGE = "day >= date($__from / 1000, 'unixepoch') AND day <= date($__to / 1000, 'unixepoch')";
/** Rows of the skills chosen in the skill variable. */
export const CHOSEN_SKILLS = 'skill_id IN (${skill:sqlstring})';

/** Unix seconds of a UTC text time, rounded down to the dashboard's interval: the time column of a series. */
export function intervalStart(column: string): string {
  return `(CAST(strftime('%s', ${column}) AS INTEGER) / $interval) * $interval`;
}

/** Unix seconds of a UTC text time or day. */
export function unixSeconds(column: string): string {
  return `CAST(strftime('%s', ${column}) AS INTEGER)`;
}

/**
 * Select-list items summing the latency buckets cumulatively: `c0` counts calls <= 1 ms, … `c15`
 * every timed call (the +Inf bucket included), like Prometheus' `_bucket` series.
 */
export function cumulativeBuckets(): string {
  return LATENCY_BUCKET_COLUMNS.map((_, k) => `sum(${LATENCY_BUCKET_COLUMNS.slice(0, k + 1).join(' + ')}) AS c${k}`).join(',\n       ');
}

/**
 * The q-quantile of the cumulative bucket columns `c0`…`c15` as one SQL expression, with the rules
 * of PromQL's histogram_quantile and of our histogramQuantile: linear interpolation inside the
 * first bucket whose cumulative count reaches q × total, 0 as the lowest bucket's lower bound, the
 * highest finite bound for a rank in +Inf, and NULL without timed calls.
 */
export function quantileOfBuckets(q: number): string {
  const last = LATENCY_BOUNDARIES_MS.length;
  const rank = `(${q} * c${last})`;
  const steps = LATENCY_BOUNDARIES_MS.map((end, k) => {
    const start = k === 0 ? 0 : LATENCY_BOUNDARIES_MS[k - 1]!;
    const below = k === 0 ? '0' : `c${k - 1}`;
    return `WHEN c${k} >= ${rank} THEN ${start} + ${end - start} * (${rank} - ${below}) / (c${k} - ${below})`;
  });
  return `CASE WHEN c${last} = 0 THEN NULL ${steps.join(' ')} ELSE ${LATENCY_BOUNDARIES_MS[last - 1]} END`;
}

/** One row per error type with its failures in `source` (rows already filtered), for a bar chart. */
export function failuresByType(source: string): string {
  return ERROR_TYPES.map(
    (type, i) => `SELECT '${type}' AS error_type, coalesce(sum(${ERROR_COLUMNS[i]}), 0) AS failures FROM ${source}`,
  ).join('\nUNION ALL ');
}
