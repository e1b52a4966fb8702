import { computeHealth, type HealthResult } from '../health/healthScore.js';
import { histogramQuantile } from '../health/histogramQuantile.js';
import { LATENCY_BOUNDARIES_MS } from '../instruments/names.js';
import type { SkillTimings } from './hourlyTotals.js';

/** A skill's health over one window, with the p95 it was computed from. */
export interface WindowHealth {
  readonly health: HealthResult;
  /** p95 latency in ms from the window's buckets; null when no call was timed. */
  readonly p95LatencyMs: number | null;
}

/** Ratings fed to the health score: the skill's all-time ones. */
export interface RatingTotals {
  readonly ratingSum: number;
  readonly ratingCount: number;
}

/**
 * The health of one skill over one window through {@link computeHealth}, the function of the live
 * gauge: successes and failures of the window, p95 by {@link histogramQuantile} over the window's
 * summed buckets, the given ratings and latency target; no score below `minCalls` calls.
 */
export function windowHealth(
  totals: SkillTimings | undefined,
  rating: RatingTotals | undefined,
  latencyTargetMs: number,
  minCalls: number,
): WindowHealth {
  const p95 = totals === undefined ? Number.NaN : percentile(0.95, totals.latencyBuckets, totals.latencyBounds);
  const health = computeHealth(
    {
      successes: totals?.successes ?? 0,
      failures: totals?.failures ?? 0,
      p95LatencyMs: Number.isNaN(p95) ? undefined : p95,
      latencyTargetMs,
      ratingSum: rating?.ratingSum,
      ratingCount: rating?.ratingCount,
    },
    { minCalls, latencyTargetMs },
  );
  return { health, p95LatencyMs: Number.isNaN(p95) ? null : p95 };
}

/**
 * The q-quantile of per-bucket latency counts over `bounds` (`+Inf` last), in ms, as PromQL's
 * histogram_quantile computes it; NaN without observations. `bounds`: LATENCY_BOUNDARIES_MS, or the
 * boundaries a View gave the histogram a store holds.
 */
export function percentile(q: number, latencyBuckets: readonly number[], bounds: readonly number[] = LATENCY_BOUNDARIES_MS): number {
  return histogramQuantile(q, bounds, latencyBuckets);
}
