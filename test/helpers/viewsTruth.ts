import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import {
  EXECUTIONS,
  FAILURES,
  INSTALLS,
  LATENCY_BOUNDARIES_MS,
  RATING,
  RATING_BOUNDARIES,
  SUCCESSES,
} from '../../src/instruments/names.js';
import { histogramLines, sampleLine } from './viewsSamples.js';
import { CALLS, INSTALLS as INSTALL_EVENTS, RATINGS } from './viewsWorkload.js';

/** One skill_usage identity added up, as the test reads it back (columns by name). */
export type UsageRow = Record<string, string | number | null>;

/** Index of the bucket that holds `value`: upper bounds inclusive, the last bucket unbounded. */
export function bucketOf(boundaries: readonly number[], value: number): number {
  const index = boundaries.findIndex((bound) => value <= bound);
  return index === -1 ? boundaries.length : index;
}

/** Counts per bucket of `values`. */
export function bucketCounts(boundaries: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  for (const value of values) counts[bucketOf(boundaries, value)]!++;
  return counts;
}

/** The latencies of each skill and outcome, keyed `skill outcome`. */
export function latenciesByOutcome(): Map<string, { skillId: string; outcome: 'success' | 'failure'; latencies: number[] }> {
  const byKey = new Map<string, { skillId: string; outcome: 'success' | 'failure'; latencies: number[] }>();
  for (const call of CALLS) {
    const outcome = call.errorType === undefined ? 'success' : 'failure';
    const key = `${call.skillId} ${outcome}`;
    const entry = byKey.get(key) ?? { skillId: call.skillId, outcome, latencies: [] };
    entry.latencies.push(call.latencyMs);
    byKey.set(key, entry);
  }
  return byKey;
}

/**
 * The skill_usage rows the workload must leave, one per skill, user and org, in the column names
 * of the test's query: exact counts, failures by error column, latency in OUR default buckets,
 * sum, min and max, ratings and installs.
 */
export function expectedUsageRows(): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  const rowOf = (skillId: string, userId: string, orgId: string): UsageRow => {
    const key = `${skillId} ${userId} ${orgId}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { skill_id: skillId, user_id: userId, org_id: orgId, execution_count: 0, success_count: 0, failure_count: 0 };
      for (const type of ERROR_TYPES) row[`${type}_count`] = 0;
      for (let index = 0; index < LATENCY_BOUNDARIES_MS.length; index += 1) row[`bucket_${index}`] = 0;
      row[`bucket_${LATENCY_BOUNDARIES_MS.length}`] = 0;
      Object.assign(row, {
        latency_sum_ms: 0,
        latency_min_ms: null,
        latency_max_ms: null,
        rating_count: 0,
        rating_sum: 0,
        install_count: 0,
      });
      rows.set(key, row);
    }
    return row;
  };
  const add = (row: UsageRow, column: string, amount: number) => (row[column] = (row[column] as number) + amount);
  for (const { skillId, user, latencyMs, errorType } of CALLS) {
    const row = rowOf(skillId, user.userId, user.orgId);
    add(row, 'execution_count', 1);
    add(row, errorType === undefined ? 'success_count' : 'failure_count', 1);
    if (errorType !== undefined) add(row, `${errorType}_count`, 1);
    add(row, `bucket_${bucketOf(LATENCY_BOUNDARIES_MS, latencyMs)}`, 1);
    add(row, 'latency_sum_ms', latencyMs);
    row['latency_min_ms'] = Math.min((row['latency_min_ms'] as number | null) ?? Infinity, latencyMs);
    row['latency_max_ms'] = Math.max((row['latency_max_ms'] as number | null) ?? -Infinity, latencyMs);
  }
  for (const { skillId, user, stars } of RATINGS) {
    const row = rowOf(skillId, user.userId, user.orgId);
    add(row, 'rating_count', 1);
    add(row, 'rating_sum', stars);
  }
  for (const { skillId, user } of INSTALL_EVENTS) add(rowOf(skillId, user.userId, user.orgId), 'install_count', 1);
  return [...rows.values()].sort(byIdentity);
}

export function byIdentity(a: UsageRow, b: UsageRow): number {
  const key = (row: UsageRow) => `${row['skill_id']} ${row['user_id']} ${row['org_id']}`;
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}

/** How a View leaves the latency histogram for Prometheus and OTLP. */
export type LatencyShape = { kind: 'buckets'; name: string; boundaries: readonly number[] } | { kind: 'exponential' } | { kind: 'dropped' };

/**
 * What the metric backends must show: our counters, every error type included, and the rating as
 * recorded (minus `dropped`), latency as `latency` says. Every skill of the workload has ratings and
 * calls of both outcomes, so the empty histograms of startAnalytics add nothing here.
 */
export function expectedSamples(dropped: ReadonlySet<string>, latency: LatencyShape): string[] {
  const lines: string[] = [];
  const perSkill = new Map<string, { executions: number; successes: number; failures: Map<string, number> }>();
  for (const { skillId, errorType } of CALLS) {
    const skill = perSkill.get(skillId) ?? { executions: 0, successes: 0, failures: new Map<string, number>() };
    skill.executions++;
    if (errorType === undefined) skill.successes++;
    else skill.failures.set(errorType, (skill.failures.get(errorType) ?? 0) + 1);
    perSkill.set(skillId, skill);
  }
  const keep = (name: string) => !dropped.has(name);
  for (const [skillId, { executions, successes, failures }] of perSkill) {
    if (keep(EXECUTIONS.name)) lines.push(sampleLine(EXECUTIONS.name, { skill_id: skillId }, executions));
    if (keep(SUCCESSES.name)) lines.push(sampleLine(SUCCESSES.name, { skill_id: skillId }, successes));
    // Every error type and the installs of each skill from its wrap on, 0 where there were none (docs/metrics.md#every-series-starts-at-0).
    if (keep(FAILURES.name))
      for (const type of ERROR_TYPES)
        lines.push(sampleLine(FAILURES.name, { skill_id: skillId, error_type: type }, failures.get(type) ?? 0));
    if (keep(INSTALLS.name))
      lines.push(sampleLine(INSTALLS.name, { skill_id: skillId }, INSTALL_EVENTS.filter((event) => event.skillId === skillId).length));
  }
  if (keep(RATING.name)) {
    for (const skillId of new Set(RATINGS.map((rating) => rating.skillId))) {
      const stars = RATINGS.filter((rating) => rating.skillId === skillId).map((rating) => rating.stars);
      lines.push(
        ...histogramLines(RATING.name, { skill_id: skillId }, RATING_BOUNDARIES, bucketCounts(RATING_BOUNDARIES, stars), sum(stars)),
      );
    }
  }
  if (latency.kind === 'buckets') lines.push(...latencySamples(latency.name, latency.boundaries));
  return lines.sort();
}

/** The latency histogram of every skill and outcome under `name` with `boundaries`. */
export function latencySamples(name: string, boundaries: readonly number[]): string[] {
  return [...latenciesByOutcome().values()]
    .flatMap(({ skillId, outcome, latencies }) =>
      histogramLines(name, { skill_id: skillId, outcome }, boundaries, bucketCounts(boundaries, latencies), sum(latencies)),
    )
    .sort();
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
