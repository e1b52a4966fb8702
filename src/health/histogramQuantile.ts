/*
 * Quantiles of explicit-bucket histograms, with the semantics of PromQL's `histogram_quantile`
 * for classic histograms, so the live health gauge, the SQLite reports and a Grafana panel built
 * on `histogram_quantile(0.95, …)` agree on the same data.
 *
 * Buckets are OpenTelemetry-style: `upperBounds` are the finite boundaries in strictly increasing
 * order (each inclusive, like Prometheus' `le`), followed by one implicit `+Inf` bucket, so every
 * counts array has `upperBounds.length + 1` entries.
 */

// Prometheus' smallDeltaTolerance: relative differences between cumulative counts this small are
// floating point noise from summing rates, not observations.
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * The φ-quantile of a histogram given as per-bucket counts (OpenTelemetry's `bucketCounts`),
 * computed exactly like PromQL's `histogram_quantile(q, …)`:
 *
 * - rank = q × total observations; the answer lies in the first bucket whose cumulative count
 *   reaches the rank, linearly interpolated between that bucket's lower and upper bounds;
 * - the lowest bucket's lower bound is 0 when its upper bound is > 0; when its upper bound is <= 0
 *   that upper bound is returned;
 * - a rank that lands in the `+Inf` bucket returns the highest finite bound;
 * - `q` NaN gives NaN, `q < 0` gives -Infinity, `q > 1` gives +Infinity (checked first);
 * - no observations, or no finite bound at all, gives NaN;
 * - like Prometheus, `q = 0` gives NaN when the lowest bucket is empty and its upper bound is
 *   > 0 (the interpolation is 0/0); `q = 0` otherwise gives 0 or that bucket's bound.
 *
 * Counts must be finite and non-negative, as OpenTelemetry produces them; any other total gives
 * NaN. Runs in O(buckets) without allocating.
 *
 * @param q - The quantile, 0 to 1 (0.95 for p95).
 * @param upperBounds - Finite bucket boundaries, strictly increasing.
 * @param counts - Observations per bucket (not cumulative); the last entry is the `+Inf` bucket.
 * @returns The interpolated value, in the unit of the bounds.
 * @throws {RangeError} When `counts.length` is not `upperBounds.length + 1`.
 */
export function histogramQuantile(q: number, upperBounds: readonly number[], counts: ArrayLike<number>): number {
  assertBucketCount(upperBounds, counts, 'counts');
  const outOfRange = quantileOutOfRange(q);
  if (outOfRange !== undefined) return outOfRange;
  if (upperBounds.length === 0) return NaN;

  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (!(total > 0)) return NaN;

  const rank = q * total;
  let below = 0;
  for (let b = 0; b < upperBounds.length; b++) {
    const inBucket = counts[b]!;
    if (below + inBucket >= rank) return interpolate(upperBounds, b, rank - below, inBucket);
    below += inBucket;
  }
  return upperBounds[upperBounds.length - 1]!;
}

/**
 * The same quantile from cumulative counts (Prometheus' `_bucket` series: observations <= each
 * bound, the last entry being the total), for reports that store or sum cumulative buckets.
 *
 * Follows `histogram_quantile` also in repairing cumulative data: differences below a relative
 * 1e-12 between neighbouring counts are ignored as floating point noise, and any decrease is
 * flattened (the counts' monotonic envelope is used), without modifying the array.
 *
 * @param q - The quantile, 0 to 1.
 * @param upperBounds - Finite bucket boundaries, strictly increasing.
 * @param cumulativeCounts - Observations <= each bound; the last entry counts all observations.
 * @returns The interpolated value, with every rule of {@link histogramQuantile}.
 * @throws {RangeError} When `cumulativeCounts.length` is not `upperBounds.length + 1`.
 */
export function histogramQuantileFromCumulative(q: number, upperBounds: readonly number[], cumulativeCounts: ArrayLike<number>): number {
  assertBucketCount(upperBounds, cumulativeCounts, 'cumulativeCounts');
  const outOfRange = quantileOutOfRange(q);
  if (outOfRange !== undefined) return outOfRange;
  if (upperBounds.length === 0) return NaN;

  let total = cumulativeCounts[0]!;
  for (let i = 1; i < cumulativeCounts.length; i++) total = envelope(total, cumulativeCounts[i]!);
  if (!(total > 0)) return NaN;

  const rank = q * total;
  let below = 0;
  let atBound = cumulativeCounts[0]!;
  for (let b = 0; b < upperBounds.length; b++) {
    if (b > 0) atBound = envelope(below, cumulativeCounts[b]!);
    if (atBound >= rank) return interpolate(upperBounds, b, rank - below, atBound - below);
    below = atBound;
  }
  return upperBounds[upperBounds.length - 1]!;
}

function assertBucketCount(upperBounds: readonly number[], counts: ArrayLike<number>, name: string): void {
  if (counts.length === upperBounds.length + 1) return;
  throw new RangeError(
    `${name} has ${counts.length} entries for ${upperBounds.length} bucket bounds: ` +
      `pass one count per bound plus one for the +Inf bucket (${upperBounds.length + 1} entries).`,
  );
}

function quantileOutOfRange(q: number): number | undefined {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  return undefined;
}

/** Linear interpolation of the rank inside bucket `b`, whose lower bound is the previous bound or 0. */
function interpolate(upperBounds: readonly number[], b: number, rankInBucket: number, countInBucket: number): number {
  const end = upperBounds[b]!;
  if (b === 0 && end <= 0) return end;
  const start = b === 0 ? 0 : upperBounds[b - 1]!;
  return start + (end - start) * (rankInBucket / countInBucket);
}

/** The next value of Prometheus' monotonic envelope: keep `previous` over a decrease or a rounding-sized step. */
function envelope(previous: number, current: number): number {
  return current <= previous || almostEqual(previous, current) ? previous : current;
}

/** Prometheus' `almost.Equal` for two finite numbers. */
function almostEqual(a: number, b: number): boolean {
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < SMALL_DELTA_TOLERANCE * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < SMALL_DELTA_TOLERANCE;
}
