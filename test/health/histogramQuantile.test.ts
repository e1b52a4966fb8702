import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { histogramQuantile, histogramQuantileFromCumulative } from '../../src/health/histogramQuantile.js';

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

// Prometheus' own test histogram (promql/promqltest/testdata/histograms.test, start="positive"):
// le=0.1 → 50, le=0.2 → 70, le=1 → 110, le=+Inf → 120 cumulative, so per bucket 50, 20, 40, 10.
const PROM_BOUNDS = [0.1, 0.2, 1];
const PROM_COUNTS = [50, 20, 40, 10];

// The same file's start="negative" histogram: le=-0.2 → 10, le=-0.1 → 20, le=0.3 → 20, le=+Inf → 30.
const NEGATIVE_BOUNDS = [-0.2, -0.1, 0.3];
const NEGATIVE_COUNTS = [10, 10, 0, 10];

// OpenTelemetry's default explicit boundaries, in ms; 100 calls, mostly 100-500 ms.
const OTEL_BOUNDS = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];
const OTEL_COUNTS = [0, 0, 0, 0, 0, 0, 10, 50, 30, 6, 3, 1, 0, 0, 0, 0];

describe('histogramQuantile', () => {
  it('interpolates linearly inside the bucket that holds the rank, as Prometheus does', () => {
    // q=0.2: rank 0.2×120 = 24 ≤ 50 → lowest bucket, from 0: 0.1 × 24/50 = 0.048
    assertClose(histogramQuantile(0.2, PROM_BOUNDS, PROM_COUNTS), 0.048);
    // q=0.5: rank 60; cumulative 50 < 60 ≤ 70 → (0.1, 0.2]: 0.1 + 0.1 × (60−50)/20 = 0.15
    assertClose(histogramQuantile(0.5, PROM_BOUNDS, PROM_COUNTS), 0.15);
    // q=0.8: rank 96; 70 < 96 ≤ 110 → (0.2, 1]: 0.2 + 0.8 × (96−70)/40 = 0.72
    assertClose(histogramQuantile(0.8, PROM_BOUNDS, PROM_COUNTS), 0.72);
  });

  it('computes latency percentiles over OpenTelemetry default buckets', () => {
    // cumulative: ≤75 → 0, ≤100 → 10, ≤250 → 60, ≤500 → 90, ≤750 → 96, ≤1000 → 99, ≤2500 → 100
    // p50: rank 50 → (100, 250]: 100 + 150 × (50−10)/50 = 220
    assertClose(histogramQuantile(0.5, OTEL_BOUNDS, OTEL_COUNTS), 220);
    // p95: rank 95 → (500, 750]: 500 + 250 × (95−90)/6 = 708.33…
    assertClose(histogramQuantile(0.95, OTEL_BOUNDS, OTEL_COUNTS), 500 + (250 * 5) / 6);
    // p99: rank 99 → (750, 1000]: 750 + 250 × (99−96)/3 = 1000
    assertClose(histogramQuantile(0.99, OTEL_BOUNDS, OTEL_COUNTS), 1000);
  });

  it('takes 0 as the lower bound of a lowest bucket whose upper bound is positive', () => {
    // q=0: rank 0 → lowest bucket: 0 + 0.1 × 0/50 = 0
    assert.equal(histogramQuantile(0, PROM_BOUNDS, PROM_COUNTS), 0);
  });

  it('returns the upper bound of a lowest bucket whose upper bound is not positive', () => {
    // q=0 and q=0.2 (rank 6 ≤ 10) land in le=-0.2, which has no lower bound to interpolate from
    assert.equal(histogramQuantile(0, NEGATIVE_BOUNDS, NEGATIVE_COUNTS), -0.2);
    assert.equal(histogramQuantile(0.2, NEGATIVE_BOUNDS, NEGATIVE_COUNTS), -0.2);
    // OpenTelemetry's first default boundary is 0: bounds [0, 5], 3 of 4 observations ≤ 0, rank 2 → 0
    assert.equal(histogramQuantile(0.5, [0, 5], [3, 1, 0]), 0);
  });

  it('interpolates upwards from a negative bound', () => {
    // q=0.5: rank 15; 10 < 15 ≤ 20 → (-0.2, -0.1]: -0.2 + 0.1 × (15−10)/10 = -0.15
    assertClose(histogramQuantile(0.5, NEGATIVE_BOUNDS, NEGATIVE_COUNTS), -0.15);
  });

  it('returns the highest finite bound when the rank lands in the +Inf bucket', () => {
    // q=0.8: rank 24 > 20, the last finite cumulative count → +Inf bucket → 0.3
    assert.equal(histogramQuantile(0.8, NEGATIVE_BOUNDS, NEGATIVE_COUNTS), 0.3);
    // q=1: rank 120 > 110 → 1
    assert.equal(histogramQuantile(1, PROM_BOUNDS, PROM_COUNTS), 1);
    // 8 of 10 calls slower than 200 ms: the median is reported as 200
    assert.equal(histogramQuantile(0.5, [100, 200], [1, 1, 8]), 200);
  });

  it('returns NaN for a histogram without observations', () => {
    assert.ok(Number.isNaN(histogramQuantile(0.95, OTEL_BOUNDS, new Array<number>(16).fill(0))));
  });

  it('returns NaN for a histogram with only the +Inf bucket', () => {
    assert.ok(Number.isNaN(histogramQuantile(0.5, [], [5])));
  });

  it('answers -Infinity, +Infinity and NaN for q below 0, above 1 and NaN, even without observations', () => {
    for (const counts of [PROM_COUNTS, [0, 0, 0, 0]]) {
      assert.equal(histogramQuantile(-0.1, PROM_BOUNDS, counts), -Infinity);
      assert.equal(histogramQuantile(1.01, PROM_BOUNDS, counts), Infinity);
      assert.ok(Number.isNaN(histogramQuantile(NaN, PROM_BOUNDS, counts)));
    }
  });

  it('returns NaN for q = 0 when the lowest bucket is empty and its bound positive, like Prometheus', () => {
    // rank 0 stops in the empty (0, 10] bucket: 0 + 10 × 0/0 = NaN
    assert.ok(Number.isNaN(histogramQuantile(0, [10, 20], [0, 4, 0])));
    // any q > 0 skips it: q=0.25 → rank 1 → (10, 20]: 10 + 10 × 1/4 = 12.5
    assert.equal(histogramQuantile(0.25, [10, 20], [0, 4, 0]), 12.5);
  });

  it('accepts typed arrays of counts', () => {
    assertClose(histogramQuantile(0.5, PROM_BOUNDS, Float64Array.from(PROM_COUNTS)), 0.15);
    assertClose(histogramQuantile(0.5, PROM_BOUNDS, Uint32Array.from(PROM_COUNTS)), 0.15);
  });

  it('rejects counts that do not match the bounds, naming the expected length', () => {
    assert.throws(
      () => histogramQuantile(0.5, PROM_BOUNDS, [50, 20, 40]),
      (error: unknown) =>
        error instanceof RangeError &&
        /^counts has 3 entries for 3 bucket bounds: pass one count per bound plus one for the \+Inf bucket \(4 entries\)\.$/.test(
          error.message,
        ),
    );
  });
});

describe('histogramQuantileFromCumulative', () => {
  it('gives the same answers from cumulative counts', () => {
    const cumulative = [50, 70, 110, 120];
    for (const q of [0, 0.2, 0.5, 0.8, 1]) {
      assert.equal(histogramQuantileFromCumulative(q, PROM_BOUNDS, cumulative), histogramQuantile(q, PROM_BOUNDS, PROM_COUNTS));
    }
  });

  it('flattens decreasing cumulative counts like Prometheus', () => {
    // Prometheus' nonmonotonic_bucket: 20, 10, 50, 40, 90, 80 is read as its envelope 20, 20, 50, 50, 90, 90
    const bounds = [0.1, 1, 10, 100, 1000];
    const cumulative = [20, 10, 50, 40, 90, 80];
    // q=0.01: rank 0.9 → lowest bucket: 0.1 × 0.9/20 = 0.0045
    assertClose(histogramQuantileFromCumulative(0.01, bounds, cumulative), 0.0045);
    // q=0.5: rank 45; 20 < 45 ≤ 50 → (1, 10]: 1 + 9 × (45−20)/30 = 8.5
    assertClose(histogramQuantileFromCumulative(0.5, bounds, cumulative), 8.5);
    // q=0.99: rank 89.1; 50 < 89.1 ≤ 90 → (100, 1000]: 100 + 900 × 39.1/40 = 979.75
    assertClose(histogramQuantileFromCumulative(0.99, bounds, cumulative), 979.75);
    assert.deepEqual(cumulative, [20, 10, 50, 40, 90, 80]);
  });

  it('ignores rounding-sized steps between cumulative counts like Prometheus', () => {
    // 100 → 100 + 1e-11 is a relative step of 5e-14 < 1e-12: the total is read as 100, so q=1
    // reaches rank 100 in the lowest bucket: 1 × 100/100 = 1 (not 2, which the raw step would give)
    assert.equal(histogramQuantileFromCumulative(1, [1, 2], [100, 100 + 1e-11, 100 + 1e-11]), 1);
  });

  it('rejects cumulative counts that do not match the bounds', () => {
    assert.throws(() => histogramQuantileFromCumulative(0.5, [1], [1, 2, 3]), /^RangeError: cumulativeCounts has 3 entries/);
  });
});

describe('histogramQuantile properties', () => {
  const histogram = fc
    .uniqueArray(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 16, comparator: 'SameValueZero' })
    .map((bounds) => bounds.sort((a, b) => a - b))
    .chain((bounds) =>
      fc.record({
        bounds: fc.constant(bounds),
        counts: fc.array(fc.nat({ max: 1000 }), { minLength: bounds.length + 1, maxLength: bounds.length + 1 }),
      }),
    );
  const quantile = fc.double({ min: 0, max: 1, noNaN: true });
  const isZeroQuantileOfEmptyLowestBucket = (q: number, counts: number[]) => q === 0 && counts[0] === 0;

  it('never decreases as q grows', () => {
    fc.assert(
      fc.property(histogram, quantile, quantile, ({ bounds, counts }, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        fc.pre(counts.some((c) => c > 0) && !isZeroQuantileOfEmptyLowestBucket(low, counts));
        assert.ok(histogramQuantile(low, bounds, counts) <= histogramQuantile(high, bounds, counts));
      }),
    );
  });

  it('stays between 0 and the highest finite bound for q in [0, 1]', () => {
    fc.assert(
      fc.property(histogram, quantile, ({ bounds, counts }, q) => {
        fc.pre(counts.some((c) => c > 0) && !isZeroQuantileOfEmptyLowestBucket(q, counts));
        const value = histogramQuantile(q, bounds, counts);
        assert.ok(value >= 0 && value <= bounds[bounds.length - 1]!, `${value} outside [0, ${bounds.at(-1)}]`);
      }),
    );
  });

  it('agrees with the cumulative form on whole counts', () => {
    fc.assert(
      fc.property(histogram, quantile, ({ bounds, counts }, q) => {
        let running = 0;
        const cumulative = counts.map((c) => (running += c));
        assert.ok(Object.is(histogramQuantileFromCumulative(q, bounds, cumulative), histogramQuantile(q, bounds, counts)));
      }),
    );
  });
});
