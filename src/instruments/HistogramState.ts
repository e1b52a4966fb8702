/** Per histogram: count, sum, min and max, then one count per bucket. */
const COUNT = 0;
const SUM = 1;
const MIN = 2;
const MAX = 3;
const FIRST_BUCKET = 4;

/** Where a histogram's numbers live from its offset, for code that reads them as one array (see SERIES_LAYOUT). */
export const HISTOGRAM_LAYOUT = Object.freeze({ count: COUNT, sum: SUM, min: MIN, max: MAX, firstBucket: FIRST_BUCKET });

/**
 * A cumulative explicit-bucket histogram kept as plain numbers, so recording is a bucket search
 * and four additions: no attribute hashing, no allocation. Its numbers may live in a larger array
 * shared with other totals of the same series (see SeriesState): one call then touches one block
 * of memory rather than a chain of objects.
 */
export class HistogramState {
  readonly boundaries: readonly number[];
  /** Per-bucket counts; the last one is the +Inf bucket. A view of this histogram's numbers. */
  readonly counts: Float64Array;
  readonly #values: Float64Array;
  readonly #offset: number;

  /** A histogram over `boundaries`, in `values` from `offset` (its own array if none is given). */
  constructor(boundaries: readonly number[], values: Float64Array = new Float64Array(histogramLength(boundaries)), offset = 0) {
    this.boundaries = boundaries;
    this.#values = values;
    this.#offset = offset;
    values[offset + MIN] = Infinity;
    values[offset + MAX] = -Infinity;
    this.counts = values.subarray(offset + FIRST_BUCKET, offset + histogramLength(boundaries));
  }

  get count(): number {
    return this.#values[this.#offset + COUNT]!;
  }

  get sum(): number {
    return this.#values[this.#offset + SUM]!;
  }

  get min(): number {
    return this.#values[this.#offset + MIN]!;
  }

  get max(): number {
    return this.#values[this.#offset + MAX]!;
  }

  record(value: number): void {
    recordInto(this.#values, this.#offset, value, bucketIndex(this.boundaries, value));
  }
}

/** How many numbers a histogram over `boundaries` takes in an array. */
export function histogramLength(boundaries: readonly number[]): number {
  return FIRST_BUCKET + boundaries.length + 1;
}

/** Records `value`, which falls in `bucket`, in the histogram kept in `values` from `offset`. */
export function recordInto(values: Float64Array, offset: number, value: number, bucket: number): void {
  values[offset + COUNT]! += 1;
  values[offset + SUM]! += value;
  if (value < values[offset + MIN]!) values[offset + MIN] = value;
  if (value > values[offset + MAX]!) values[offset + MAX] = value;
  values[offset + FIRST_BUCKET + bucket]! += 1;
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
