/** Timing of one measured operation: median, min and max over the runs, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly runs: number;
}

/** How many times to run an operation before and while measuring it. */
export interface MeasureOptions {
  /** Runs thrown away first, to warm caches and the JIT. @default 3 */
  readonly warmup?: number;
  /** Runs measured. @default 15 */
  readonly runs?: number;
}

/** Runs `operation` warm-up times, then `runs` times, and returns the spread of the measured runs. */
export function measure(operation: () => unknown, options: MeasureOptions = {}): Timing {
  const { warmup = 3, runs = 15 } = options;
  for (let i = 0; i < warmup; i++) operation();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    operation();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

/** {@link measure} of an operation that answers with a Promise, each run awaited before the next. */
export async function measureAsync(operation: () => Promise<unknown>, options: MeasureOptions = {}): Promise<Timing> {
  const { warmup = 3, runs = 15 } = options;
  for (let i = 0; i < warmup; i++) await operation();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await operation();
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

/** Median, min and max of `samples` (ms). */
export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { medianMs: median, minMs: sorted[0] ?? NaN, maxMs: sorted.at(-1) ?? NaN, runs: sorted.length };
}

/** `baseline / subject` of the medians: how many times faster the subject is. */
export function speedup(subject: Timing, baseline: Timing): number {
  return baseline.medianMs / subject.medianMs;
}
