import { sqliteTime } from '../../store/schema.js';
import type { ReportScope } from '../reportScope.js';
import { timeMs } from '../window.js';
import { assertMetrics } from './metricCheck.js';
import type { PrometheusSource } from './PrometheusSource.js';
import { hourlyTotals, metricsOf, rangeTotals, type Family } from './storeTotals.js';

/** Calls of one skill in one bucket from a store, with whether a counter reset in it. */
export interface StoreBucket {
  readonly skillId: string;
  readonly bucket: string;
  readonly executions: number;
  readonly successes: number;
  readonly failures: number;
  readonly estimate: boolean;
}

/** Calls of one skill over the window and the window before, from a store. */
export interface StoreGrowth {
  readonly skillId: string;
  readonly calls: number;
  readonly previousCalls: number;
  readonly estimate: boolean;
}

const FAMILIES: readonly Family[] = ['calls', 'resets'];
const DAY_MS = 86_400_000;

/**
 * Calls per skill per hour, day or week (Monday) of the window, by skill then bucket, buckets
 * without calls left out: one range query of hourly counts, summed into the buckets.
 */
export async function storeBuckets(
  source: PrometheusSource,
  scope: ReportScope,
  granularity: 'hour' | 'day' | 'week',
  skillIds?: readonly string[],
): Promise<StoreBucket[]> {
  const { window } = scope;
  const [fromMs, toMs] = [timeMs(window.from), timeMs(window.to)];
  await assertMetrics(source, metricsOf(FAMILIES), fromMs, toMs, scope.orgId);
  const hours = await hourlyTotals(source, { ...scope, skillIds }, FAMILIES, fromMs, toMs);
  const sums = new Map<string, { -readonly [K in keyof StoreBucket]: StoreBucket[K] }>();
  hours.forEach((skills, index) => {
    const bucket = bucketOf(fromMs + index * 3_600_000, granularity);
    for (const [skillId, t] of skills) {
      if (t.calls === 0 && t.resets === 0) continue;
      const key = `${skillId}\u0000${bucket}`;
      const sum = sums.get(key) ?? { skillId, bucket, executions: 0, successes: 0, failures: 0, estimate: false };
      sum.executions += t.calls;
      sum.successes += t.successes;
      sum.failures += t.failures;
      sum.estimate ||= t.resets > 0;
      sums.set(key, sum);
    }
  });
  return [...sums.values()]
    .filter((point) => point.executions > 0)
    .sort((a, b) => (a.skillId < b.skillId ? -1 : a.skillId > b.skillId ? 1 : a.bucket < b.bucket ? -1 : 1));
}

/** Calls per skill in the window and in the window before it, from one instant query. */
export async function storeGrowth(source: PrometheusSource, scope: ReportScope): Promise<StoreGrowth[]> {
  const { window } = scope;
  await assertMetrics(source, metricsOf(FAMILIES), timeMs(window.previous.from), timeMs(window.to), scope.orgId);
  const totals = await rangeTotals(source, scope, timeMs(window.to), scope.now, {
    current: { families: FAMILIES, rangeMs: window.lengthMs },
    previous: { families: FAMILIES, rangeMs: window.lengthMs, offsetMs: window.lengthMs },
  });
  const rows: StoreGrowth[] = [];
  for (const skillId of new Set([...totals.current.keys(), ...totals.previous.keys()])) {
    const [current, previous] = [totals.current.get(skillId), totals.previous.get(skillId)];
    const estimate = (current?.resets ?? 0) > 0 || (previous?.resets ?? 0) > 0;
    rows.push({ skillId, calls: current?.calls ?? 0, previousCalls: previous?.calls ?? 0, estimate });
  }
  return rows;
}

/** The bucket of the hour starting at `hourMs`: the hour, its day, or the Monday of its ISO week. */
function bucketOf(hourMs: number, granularity: 'hour' | 'day' | 'week'): string {
  if (granularity === 'hour') return sqliteTime(hourMs);
  const dayMs = Math.floor(hourMs / DAY_MS) * DAY_MS;
  if (granularity === 'day') return sqliteTime(dayMs).slice(0, 10);
  const weekday = (new Date(dayMs).getUTCDay() + 6) % 7;
  return sqliteTime(dayMs - weekday * DAY_MS).slice(0, 10);
}
