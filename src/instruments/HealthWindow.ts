import { HistogramState } from './HistogramState.js';

/** How many slots a window is cut into: the window slides by one slot at a time. */
const SLOTS = 15;

class Slot {
  index = -1;
  successes = 0;
  failures = 0;
  readonly latency: HistogramState;

  constructor(boundaries: readonly number[]) {
    this.latency = new HistogramState(boundaries);
  }

  reset(index: number): void {
    this.index = index;
    this.successes = 0;
    this.failures = 0;
    const latency = this.latency;
    latency.counts.fill(0);
    latency.count = 0;
    latency.sum = 0;
    latency.min = Infinity;
    latency.max = -Infinity;
  }
}

/** What a window holds at one moment. */
export interface WindowTotals {
  successes: number;
  failures: number;
  /** Latency counts per bucket over the window, +Inf last. */
  latencyCounts: Float64Array;
}

/**
 * The recent calls of one skill, for the live health score: a ring of time slots, so old calls
 * fall out without any timer and recording stays O(1).
 */
export class HealthWindow {
  readonly #slotMs: number;
  readonly #slots: Slot[];
  readonly #boundaries: readonly number[];

  constructor(windowMs: number, boundaries: readonly number[]) {
    this.#slotMs = Math.max(1, windowMs / SLOTS);
    this.#boundaries = boundaries;
    this.#slots = Array.from({ length: SLOTS }, () => new Slot(boundaries));
  }

  /** Records one call that ended at `nowMs` (epoch ms) and took `latencyMs`. */
  record(nowMs: number, latencyMs: number, ok: boolean): void {
    const index = Math.floor(nowMs / this.#slotMs);
    const slot = this.#slots[index % SLOTS] as Slot;
    if (slot.index !== index) slot.reset(index);
    if (ok) slot.successes++;
    else slot.failures++;
    slot.latency.record(latencyMs);
  }

  /** Sums the slots still inside the window at `nowMs`. */
  totals(nowMs: number): WindowTotals {
    const newest = Math.floor(nowMs / this.#slotMs);
    const totals: WindowTotals = { successes: 0, failures: 0, latencyCounts: new Float64Array(this.#boundaries.length + 1) };
    for (const slot of this.#slots) {
      if (slot.index <= newest - SLOTS || slot.index > newest) continue;
      totals.successes += slot.successes;
      totals.failures += slot.failures;
      const counts = slot.latency.counts;
      for (let i = 0; i < counts.length; i++) totals.latencyCounts[i] = (totals.latencyCounts[i] ?? 0) + (counts[i] ?? 0);
    }
    return totals;
  }
}
