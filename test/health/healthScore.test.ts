import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { computeHealth, HEALTH_DEFAULTS, HEALTH_WEIGHTS, type HealthInput } from '../../src/health/healthScore.js';

function assertClose(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-6, `expected ${expected}, got ${actual}`);
}

describe('computeHealth', () => {
  it('scores a skill with every component', () => {
    const result = computeHealth({ successes: 95, failures: 5, p95LatencyMs: 1200, ratingSum: 18, ratingCount: 4 });
    // success = Wilson(95, 100) = 0.888248 (worked in wilson.test.ts)
    assertClose(result.components.success, 0.888248);
    // latency = 1000 / 1200 = 0.833333
    assertClose(result.components.latency, 0.833333);
    // rating: (3 × 5 + 18) / (5 + 4) = 33/9 = 3.6667 stars → (3.6667 − 1) / 4 = 0.666667
    assertClose(result.components.rating, 0.666667);
    // usage = ln(101) / ln(101) = 1
    assert.equal(result.components.usage, 1);
    // 100 × (0.5 × 0.888248 + 0.25 × 0.833333 + 0.15 × 0.666667 + 0.1 × 1)
    // = 100 × (0.444124 + 0.208333 + 0.1 + 0.1) = 85.2457 → 85.2
    assert.deepEqual(
      { score: result.score, weights: result.weights, calls: result.calls, reason: result.reason },
      { score: 85.2, weights: { success: 0.5, latency: 0.25, rating: 0.15, usage: 0.1 }, calls: 100, reason: undefined },
    );
    assert.ok(!('reason' in result));
  });

  it('drops components without data and renormalises the remaining weights', () => {
    const result = computeHealth({ successes: 20, failures: 0 });
    // success 0.5 and usage 0.1 remain: 0.5/0.6 = 0.833333, 0.1/0.6 = 0.166667
    assert.deepEqual(Object.keys(result.components), ['success', 'usage']);
    assertClose(result.weights.success, 5 / 6);
    assertClose(result.weights.usage, 1 / 6);
    // success = Wilson(20, 20) = 40 / (2 × 23.8416) = 0.838870; usage = ln 21 / ln 101 = 3.044522 / 4.615121 = 0.659684
    // 100 × (0.833333 × 0.838870 + 0.166667 × 0.659684) = 100 × (0.699058 + 0.109947) = 80.9005 → 80.9
    assert.equal(result.score, 80.9);
  });

  it('gives no score below 20 calls but still returns the components', () => {
    const result = computeHealth({ successes: 10, failures: 0, p95LatencyMs: 200 });
    assert.equal(result.score, undefined);
    assert.equal(result.reason, 'insufficient_data');
    assert.equal(result.calls, 10);
    // success = 20 / 27.6832 = 0.722460; usage = ln 11 / ln 101 = 2.397895 / 4.615121 = 0.519574
    assertClose(result.components.success, 0.72246);
    assert.equal(result.components.latency, 1);
    assertClose(result.components.usage, 0.519574);
  });

  it('scores from the first call when minCalls is 0', () => {
    assert.equal(typeof computeHealth({ successes: 1, failures: 0 }, { minCalls: 0 }).score, 'number');
    assert.equal(computeHealth({ successes: 19, failures: 0 }).score, undefined);
    assert.equal(typeof computeHealth({ successes: 19, failures: 1 }).score, 'number');
  });

  it('gives full latency marks up to the target and target/p95 beyond it', () => {
    assert.equal(computeHealth({ successes: 50, failures: 0, p95LatencyMs: 1000 }).components.latency, 1);
    // default target 1000 ms: 1000 / 4000 = 0.25
    assert.equal(computeHealth({ successes: 50, failures: 0, p95LatencyMs: 4000 }).components.latency, 0.25);
    // the skill's own target wins over params, which win over the default: 500 / 800 = 0.625
    const input = { successes: 50, failures: 0, p95LatencyMs: 800, latencyTargetMs: 500 };
    assert.equal(computeHealth(input, { latencyTargetMs: 2000 }).components.latency, 0.625);
    // 400 / 800 = 0.5
    assert.equal(computeHealth({ ...input, latencyTargetMs: undefined }, { latencyTargetMs: 400 }).components.latency, 0.5);
  });

  it('treats a NaN p95, which an empty histogram gives, as no latency data', () => {
    assert.equal('latency' in computeHealth({ successes: 50, failures: 0, p95LatencyMs: NaN }).components, false);
  });

  it('leaves ratings out until there is one', () => {
    const result = computeHealth({ successes: 50, failures: 0, p95LatencyMs: 100, ratingSum: 0, ratingCount: 0 });
    assert.equal('rating' in result.components, false);
    // success 0.5, latency 0.25, usage 0.1 remain; sum 0.85
    assertClose(result.weights.success, 0.5 / 0.85);
    assertClose(result.weights.latency, 0.25 / 0.85);
    assertClose(result.weights.usage, 0.1 / 0.85);
  });

  it('pulls a few ratings towards the 3-star prior', () => {
    // one 5-star rating: (15 + 5) / 6 = 3.3333 stars → 0.583333
    assertClose(computeHealth({ successes: 50, failures: 0, ratingSum: 5, ratingCount: 1 }).components.rating, 0.583333);
    // a hundred: (15 + 500) / 105 = 4.9048 stars → 0.976190
    assertClose(computeHealth({ successes: 50, failures: 0, ratingSum: 500, ratingCount: 100 }).components.rating, 0.97619);
  });

  it('reaches full usage marks at the usage target', () => {
    assert.equal(computeHealth({ successes: 100, failures: 0 }).components.usage, 1);
    assert.equal(computeHealth({ successes: 5000, failures: 0 }).components.usage, 1);
    // ln 51 / ln 51 = 1 with a target of 50 calls
    assert.equal(computeHealth({ successes: 50, failures: 0 }, { usageTarget: 50 }).components.usage, 1);
  });

  it('lets more failures raise the score of a skill that never succeeds, through usage', () => {
    // success is 0 either way; usage ln 21 / ln 101 = 0.659684 → 100 × 0.659684 / 6 = 10.99 → 11
    // against ln 201 / ln 101 capped at 1 → 100 / 6 = 16.67 → 16.7
    assert.equal(computeHealth({ successes: 0, failures: 20 }).score, 11);
    assert.equal(computeHealth({ successes: 0, failures: 200 }).score, 16.7);
  });

  it('keeps its weights and defaults in one frozen object', () => {
    assert.equal(HEALTH_DEFAULTS.weights, HEALTH_WEIGHTS);
    assert.ok(Object.isFrozen(HEALTH_DEFAULTS) && Object.isFrozen(HEALTH_WEIGHTS));
    assert.deepEqual(HEALTH_DEFAULTS, {
      minCalls: 20,
      latencyTargetMs: 1000,
      usageTarget: 100,
      ratingPriorMean: 3,
      ratingPriorWeight: 5,
      weights: { success: 0.5, latency: 0.25, rating: 0.15, usage: 0.1 },
    });
  });

  describe('properties', () => {
    const ratings = fc
      .nat({ max: 1000 })
      .chain((count) => fc.record({ ratingCount: fc.constant(count), ratingSum: fc.integer({ min: count, max: 5 * count }) }));
    const input: fc.Arbitrary<HealthInput> = fc
      .record(
        {
          successes: fc.nat({ max: 100_000 }),
          failures: fc.nat({ max: 100_000 }),
          p95LatencyMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
          latencyTargetMs: fc.double({ min: 1, max: 1e5, noNaN: true }),
          ratings,
        },
        { requiredKeys: ['successes', 'failures'] },
      )
      .map(({ ratings: r, ...rest }) => ({ ...rest, ...r }));

    it('scores from 0 to 100 with one decimal, from 20 calls on', () => {
      fc.assert(
        fc.property(input, (health) => {
          const { score, calls } = computeHealth(health);
          if (calls < 20) return assert.equal(score, undefined);
          assert.ok(score !== undefined && score >= 0 && score <= 100, `score ${score}`);
          assert.equal(Math.round(score * 10) / 10, score);
        }),
      );
    });

    it('keeps every component between 0 and 1', () => {
      fc.assert(
        fc.property(input, (health) => {
          for (const value of Object.values(computeHealth(health).components)) assert.ok(value >= 0 && value <= 1, `${value}`);
        }),
      );
    });

    it('uses weights that sum to 1 over exactly the components present', () => {
      fc.assert(
        fc.property(input, (health) => {
          const { components, weights } = computeHealth(health);
          assert.deepEqual(Object.keys(weights), Object.keys(components));
          const sum = Object.values(weights).reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) <= 1e-12, `weights sum to ${sum}`);
        }),
      );
    });

    it('never falls when a failure becomes a success', () => {
      fc.assert(
        fc.property(input, (health) => {
          fc.pre(health.failures > 0);
          const better = { ...health, successes: health.successes + 1, failures: health.failures - 1 };
          assert.ok((computeHealth(better).score ?? 0) >= (computeHealth(health).score ?? 0));
        }),
      );
    });

    it('never falls when a success is added', () => {
      fc.assert(
        fc.property(input, (health) => {
          const before = computeHealth(health).score;
          const after = computeHealth({ ...health, successes: health.successes + 1 }).score;
          if (before !== undefined) assert.ok(after !== undefined && after >= before, `${before} → ${after}`);
        }),
      );
    });
  });
});
