import { HEALTH_TOTALS_LENGTH } from './SeriesState.js';

/** How many slots a window is cut into: the window slides by one slot at a time. */
const SLOTS = 15;
/** In the running totals and each snapshot: successes, failures, then one count per latency bucket. */
const SUCCESSES = 0;
const FAILURES = 1;
const FIRST_BUCKET = 2;
/** Per slot in the ring: the time slot it holds (epoch ms / slotMs, -1 for none), then a snapshot. */
const STRIDE = 1 + HEALTH_TOTALS_LENGTH;

/** What a window holds at one moment. */
export interface WindowTotals {
  successes: number;
  failures: number;
  /** Latency counts per bucket over the window, +Inf last. */
  latencyCounts: Float64Array;
}

/**
 * The recent calls of one skill, for the live health score. A call adds to running totals (kept in
 * the skill's base series, beside the counts it writes anyway, so a call touches no other memory);
 * when a call opens a new time slot, the totals before it are copied into a ring of one snapshot
 * per slot. The window's totals are then the running totals minus the snapshot at the start of the
 * oldest slot still inside the window: no timer, and O(1) per call.
 */
export class HealthWindow {
  readonly #slotMs: number;
  readonly #running: Float64Array;
  readonly #ring = new Float64Array(SLOTS * STRIDE).fill(-1);
  #slot = -1;

  /** `running`: the skill's running health totals (SeriesState.healthTotals of its base series). */
  constructor(windowMs: number, running: Float64Array) {
    this.#slotMs = Math.max(1, windowMs / SLOTS);
    this.#running = running;
  }

  /**
   * Records one call that ended at `nowMs` (epoch ms), successful or not, whose latency is in
   * `bucket` of LATENCY_BOUNDARIES_MS.
   */
  record(nowMs: number, ok: boolean, bucket: number): void {
    const slot = Math.floor(nowMs / this.#slotMs);
    const running = this.#running;
    if (slot !== this.#slot) {
      this.#slot = slot;
      const offset = (slot % SLOTS) * STRIDE;
      this.#ring[offset] = slot;
      this.#ring.set(running, offset + 1);
    }
    running[ok ? SUCCESSES : FAILURES]! += 1;
    running[FIRST_BUCKET + bucket]! += 1;
  }

  /** The calls inside the window at `nowMs`. */
  totals(nowMs: number): WindowTotals {
    const newest = Math.floor(nowMs / this.#slotMs);
    // The snapshot of the oldest slot in the window that had a call: no call came between the
    // window's start and that snapshot, so the running totals then equal those at the start.
    let start = -1;
    let oldest = Number.POSITIVE_INFINITY;
    for (let position = 0; position < SLOTS; position++) {
      const slot = this.#ring[position * STRIDE]!;
      if (slot > newest - SLOTS && slot <= newest && slot < oldest) {
        oldest = slot;
        start = position * STRIDE + 1;
      }
    }
    const buckets = HEALTH_TOTALS_LENGTH - FIRST_BUCKET;
    const totals: WindowTotals = { successes: 0, failures: 0, latencyCounts: new Float64Array(buckets) };
    if (start < 0) return totals;
    const running = this.#running;
    const ring = this.#ring;
    totals.successes = running[SUCCESSES]! - ring[start + SUCCESSES]!;
    totals.failures = running[FAILURES]! - ring[start + FAILURES]!;
    for (let bucket = 0; bucket < buckets; bucket++)
      totals.latencyCounts[bucket] = running[FIRST_BUCKET + bucket]! - ring[start + FIRST_BUCKET + bucket]!;
    return totals;
  }
}
