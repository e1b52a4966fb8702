/**
 * The lower bound of the Wilson score interval for a success rate: the success rate we can be
 * confident of given how many calls we saw. Unlike the raw ratio it does not reward luck on a few
 * calls: 10 successes out of 10 give about 0.72, 1000 out of 1000 about 0.996.
 *
 * Computed as `(2s + z² − z·√(4s(n−s)/n + z²)) / (2(n + z²))`, the usual
 * `(p̂ + z²/2n − z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)` multiplied through by 2n, which keeps
 * p̂ = 1 exact and avoids dividing by n twice.
 *
 * The result is in [0, successes / total], grows with `total` at a fixed success ratio and with
 * `successes` at a fixed `total`. Counts need not be integers (rates work too).
 *
 * @param successes - Successful calls, 0 to `total`.
 * @param total - All calls.
 * @param z - Standard normal quantile of the confidence level, >= 0. @default 1.96 (95 % two-sided)
 * @returns 0 when `total` is 0.
 */
export function wilsonLowerBound(successes: number, total: number, z = 1.96): number {
  if (total === 0) return 0;
  const zSquared = z * z;
  const spread = z * Math.sqrt((4 * successes * (total - successes)) / total + zSquared);
  const lower = (2 * successes + zSquared - spread) / (2 * (total + zSquared));
  // At 0 successes the two terms cancel and rounding can leave -1e-17.
  return Math.max(lower, 0);
}
