import { MetricUnavailableError } from '../../core/errors.js';
import { FAILURES } from '../../instruments/names.js';
import { sqliteTime } from '../../store/schema.js';
import type { ReportScope } from '../reportScope.js';
import { timeMs } from '../window.js';
import { assertMetrics } from './metricCheck.js';
import type { PrometheusSource } from './PrometheusSource.js';
import { hourlyTotals, metricsOf, rangeTotals, type StoreTotals } from './storeTotals.js';

/** What the latency report reads from a store: the window's totals by skill. */
export async function storeLatencyTotals(source: PrometheusSource, scope: ReportScope): Promise<Map<string, StoreTotals>> {
  const { window } = scope;
  const present = await assertMetrics(source, metricsOf(['calls', 'latency']), timeMs(window.from), timeMs(window.to), scope.orgId);
  const totals = await rangeTotals(source, scope, timeMs(window.to), scope.now, {
    window: { families: ['calls', 'failures', 'latency', 'resets'], rangeMs: window.lengthMs },
  });
  // The failures counter has a series only once a call failed (or, from this release on, once its
  // skill is registered): its absence is an error only when calls did fail, whose types it would tell.
  if (!present.has(FAILURES.name) && [...totals.window.values()].some((skill) => skill.failures > 0)) {
    throw new MetricUnavailableError(
      FAILURES.name,
      `${source.url} holds no ${FAILURES.name} though calls failed in the window: a View renamed or dropped it, so the error types ` +
        'cannot be told. Remove that View or exclude this metric from it (docs/backends.md#views).',
    );
  }
  return totals.window;
}

/** What the health report reads from a store. */
export interface StoreHealthTotals {
  /** The window's calls and latency buckets by skill. */
  readonly window: Map<string, StoreTotals>;
  /** Every rating of each skill the store holds for the processes of the lookback, of every org and agent. */
  readonly ratings: Map<string, StoreTotals>;
  /** The start of each skill's last hour with calls in the lookback, null for a skill without; every skill the store knows in it. */
  readonly lastUsed: Map<string, string | null>;
}

const HOUR_MS = 3_600_000;
/** Prometheus answers at most 11,000 points per series: the hours a lookback can span. */
const MAX_HOURS = 11_000;

/**
 * Three requests: the metrics check, the window's totals with the ratings, and the hourly calls of
 * the `lookbackMs` before the window's end, which list every skill the store knows (each series is
 * emitted at 0 once its skill is registered) with its last hour of calls.
 */
export async function storeHealthTotals(source: PrometheusSource, scope: ReportScope, lookbackMs: number): Promise<StoreHealthTotals> {
  const { window } = scope;
  const toMs = timeMs(window.to);
  const fromMs = Math.max(toMs - MAX_HOURS * HOUR_MS, Math.min(timeMs(window.from), toMs - Math.ceil(lookbackMs / HOUR_MS) * HOUR_MS));
  await assertMetrics(source, metricsOf(['calls', 'latency']), fromMs, toMs, scope.orgId);
  const everywhere = { orgId: undefined, agentName: undefined };
  const totals = await rangeTotals(source, scope, toMs, scope.now, {
    window: { families: ['calls', 'latency', 'resets'], rangeMs: window.lengthMs },
    ratings: { families: ['rating'], rangeMs: toMs - fromMs, mode: 'last', scope: everywhere },
  });
  const lastUsed = new Map<string, string | null>();
  const hours = await hourlyTotals(source, scope, ['calls'], fromMs, toMs);
  hours.forEach((skills, index) => {
    for (const [skillId, t] of skills) {
      if (t.calls > 0) lastUsed.set(skillId, sqliteTime(fromMs + index * HOUR_MS));
      else if (!lastUsed.has(skillId)) lastUsed.set(skillId, null);
    }
  });
  return { window: totals.window, ratings: totals.ratings, lastUsed };
}
