/**
 * A cumulative explicit-bucket histogram kept as plain numbers, so recording is a bucket search
 * and four additions: no attribute hashing, no allocation.
 */
export class HistogramState {
  readonly boundaries: readonly number[];
  /** Per-bucket counts; the last one is the +Inf bucket. */
  readonly counts: Float64Array;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(boundaries: readonly number[]) {
    this.boundaries = boundaries;
    this.counts = new Float64Array(boundaries.length + 1);
  }

  record(value: number): void {
    const bucket = bucketIndex(this.boundaries, value);
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

/**
 * Index of the bucket `value` falls in: buckets are upper-inclusive, `(previous, bound]`, as in
 * OpenTelemetry and Prometheus. Binary search, since boundaries are sorted.
 */
export function bucketIndex(boundaries: readonly number[], value: number): number {
  let low = 0;
  let high = boundaries.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (value > (boundaries[mid] as number)) low = mid + 1;
    else high = mid;
  }
  return low;
}
