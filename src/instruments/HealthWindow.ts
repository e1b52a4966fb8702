import { bucketIndex } from './HistogramState.js';

/** How many slots a window is cut into: the window slides by one slot at a time. */
const SLOTS = 15;
/** Per slot: the time slot it holds (epoch ms / slotMs, -1 for none yet), successes, failures, then one count per latency bucket. */
const SLOT_INDEX = 0;
const SUCCESSES = 1;
const FAILURES = 2;
const FIRST_BUCKET = 3;

/** What a window holds at one moment. */
export interface WindowTotals {
  successes: number;
  failures: number;
  /** Latency counts per bucket over the window, +Inf last. */
  latencyCounts: Float64Array;
}

/**
 * The recent calls of one skill, for the live health score: a ring of time slots, so old calls
 * fall out without any timer and recording stays O(1). Every slot lives in one flat array: a call
 * touches a few adjacent numbers rather than a chain of objects, which is what a call costs when
 * thousands of skills take turns (their windows are not in the CPU cache).
 */
export class HealthWindow {
  readonly #slotMs: number;
  readonly #boundaries: readonly number[];
  readonly #stride: number;
  readonly #counts: Float64Array;

  constructor(windowMs: number, boundaries: readonly number[]) {
    this.#slotMs = Math.max(1, windowMs / SLOTS);
    this.#boundaries = boundaries;
    this.#stride = FIRST_BUCKET + boundaries.length + 1;
    this.#counts = new Float64Array(SLOTS * this.#stride);
    for (let position = 0; position < SLOTS; position++) this.#counts[position * this.#stride + SLOT_INDEX] = -1;
  }

  /**
   * Records one call that ended at `nowMs` (epoch ms) and took `latencyMs`; `bucket` is the
   * latency's bucket in the window's boundaries, when the caller already knows it.
   */
  record(nowMs: number, latencyMs: number, ok: boolean, bucket: number = bucketIndex(this.#boundaries, latencyMs)): void {
    const index = Math.floor(nowMs / this.#slotMs);
    const position = index % SLOTS;
    const offset = position * this.#stride;
    const counts = this.#counts;
    if (counts[offset + SLOT_INDEX] !== index) {
      counts.fill(0, offset, offset + this.#stride);
      counts[offset + SLOT_INDEX] = index;
    }
    counts[offset + (ok ? SUCCESSES : FAILURES)]! += 1;
    counts[offset + FIRST_BUCKET + bucket]! += 1;
  }

  /** Sums the slots still inside the window at `nowMs`. */
  totals(nowMs: number): WindowTotals {
    const newest = Math.floor(nowMs / this.#slotMs);
    const buckets = this.#boundaries.length + 1;
    const totals: WindowTotals = { successes: 0, failures: 0, latencyCounts: new Float64Array(buckets) };
    for (let position = 0; position < SLOTS; position++) {
      const index = this.#counts[position * this.#stride + SLOT_INDEX]!;
      if (index <= newest - SLOTS || index > newest) continue;
      const offset = position * this.#stride;
      totals.successes += this.#counts[offset + SUCCESSES]!;
      totals.failures += this.#counts[offset + FAILURES]!;
      for (let bucket = 0; bucket < buckets; bucket++) totals.latencyCounts[bucket]! += this.#counts[offset + FIRST_BUCKET + bucket]!;
    }
    return totals;
  }
}
