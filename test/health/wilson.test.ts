import assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { wilsonLowerBound } from '../../src/health/wilson.js';

function assertClose(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) <= 1e-6, `expected ${expected}, got ${actual}`);
}

// z = 1.96, z² = 3.8416; lower = (2s + z² − z·√(4s(n−s)/n + z²)) / (2(n + z²))
describe('wilsonLowerBound', () => {
  it('does not give a perfect record of 10 calls full marks', () => {
    // (20 + 3.8416 − 1.96 × √3.8416) / (2 × 13.8416) = (23.8416 − 3.8416) / 27.6832 = 0.722460
    assertClose(wilsonLowerBound(10, 10), 0.72246);
  });

  it('comes close to 1 for a perfect record of 1000 calls', () => {
    // (2000 + 3.8416 − 3.8416) / (2 × 1003.8416) = 2000 / 2007.6832 = 0.996173
    assertClose(wilsonLowerBound(1000, 1000), 0.996173);
  });

  it('stays well below an even success ratio on few calls', () => {
    // 5/10: (10 + 3.8416 − 1.96 × √(4×5×5/10 + 3.8416)) / 27.6832
    //     = (13.8416 − 1.96 × 3.720430) / 27.6832 = (13.8416 − 7.292043) / 27.6832 = 0.236590
    assertClose(wilsonLowerBound(5, 10), 0.23659);
  });

  it('discounts 95 successes in 100 calls', () => {
    // (190 + 3.8416 − 1.96 × √(4×95×5/100 + 3.8416)) / (2 × 103.8416)
    // = (193.8416 − 1.96 × √22.8416) / 207.6832 = (193.8416 − 9.367406) / 207.6832 = 0.888248
    assertClose(wilsonLowerBound(95, 100), 0.888248);
  });

  it('is 0 without successes and without calls', () => {
    assert.equal(wilsonLowerBound(0, 10), 0);
    assert.equal(wilsonLowerBound(0, 0), 0);
  });

  it('is the plain success ratio when z is 0', () => {
    assert.equal(wilsonLowerBound(3, 4, 0), 0.75);
  });

  it('widens with a larger z', () => {
    // 99 % two-sided: z = 2.576, z² = 6.635776: (20 + 6.635776 − 6.635776) / (2 × 16.635776) = 0.601114
    assertClose(wilsonLowerBound(10, 10, 2.576), 0.601114);
  });

  describe('properties', () => {
    const record = fc
      .integer({ min: 1, max: 100_000 })
      .chain((total) => fc.record({ total: fc.constant(total), successes: fc.integer({ min: 0, max: total }) }));

    it('lies between 0 and the success ratio', () => {
      fc.assert(
        fc.property(record, ({ successes, total }) => {
          const lower = wilsonLowerBound(successes, total);
          assert.ok(lower >= 0 && lower <= successes / total, `${lower} outside [0, ${successes}/${total}]`);
        }),
      );
    });

    it('grows with the number of calls at the same success ratio', () => {
      fc.assert(
        fc.property(record, fc.integer({ min: 2, max: 100 }), ({ successes, total }, factor) => {
          assert.ok(wilsonLowerBound(successes * factor, total * factor) >= wilsonLowerBound(successes, total));
        }),
      );
    });

    it('grows when a failure becomes a success', () => {
      fc.assert(
        fc.property(record, ({ successes, total }) => {
          fc.pre(successes < total);
          assert.ok(wilsonLowerBound(successes + 1, total) > wilsonLowerBound(successes, total));
        }),
      );
    });
  });
});
