import type { MeasureOptions } from './measure.js';

const collectGarbage = (globalThis as { gc?: (options?: { type: 'minor' | 'major' }) => void }).gc;

/**
 * Runs each operation once per round, rotating who goes first, and returns the measured times
 * (ms) of each: on a shared machine a slow moment then hits every operation alike, and samples of
 * the same round can be subtracted. A minor GC before each run leaves none of one operation's
 * garbage to be collected during the next one's.
 */
export async function interleave<K extends string>(
  operations: Record<K, () => unknown>,
  options: MeasureOptions = {},
): Promise<Record<K, number[]>> {
  const { warmup = 3, runs = 15 } = options;
  const entries = Object.entries(operations) as [K, () => unknown][];
  const samples = Object.fromEntries(entries.map(([name]) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + runs; round++) {
    for (let turn = 0; turn < entries.length; turn++) {
      const [name, operation] = entries[(round + turn) % entries.length] as [K, () => unknown];
      collectGarbage?.({ type: 'minor' });
      const started = performance.now();
      await operation();
      const elapsed = performance.now() - started;
      if (round >= warmup) samples[name].push(elapsed);
    }
  }
  return samples;
}

/** `a[i] - b[i]` for each round: what `a` costs above `b`, measured in the same round. */
export function pairwiseDifference(a: readonly number[], b: readonly number[]): number[] {
  return a.map((value, index) => value - (b[index] ?? NaN));
}

/** Each sample divided by `count` and scaled from ms to ns: per-call figures from batch times. */
export function perCallNs(samples: readonly number[], count: number): number[] {
  return samples.map((ms) => (ms * 1e6) / count);
}
