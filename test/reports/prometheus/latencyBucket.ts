import { bucketIndex } from '../../../src/instruments/HistogramState.js';
import { LATENCY_BOUNDARIES_MS } from '../../../src/instruments/names.js';

/**
 * The bounds `(lower, upper]` of the latency bucket `ms` falls in, by the recorder's own bucketing: a
 * store's percentile interpolates inside the bucket of the SQLite one.
 */
export function latencyBucketOf(ms: number): [number, number] {
  const index = bucketIndex(LATENCY_BOUNDARIES_MS, ms);
  return [LATENCY_BOUNDARIES_MS[index - 1] ?? 0, LATENCY_BOUNDARIES_MS[index] ?? Number.POSITIVE_INFINITY];
}
