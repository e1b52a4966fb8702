import type { DrainedSeries } from '../instruments/DetailScopeMetrics.js';
import { ATTR } from '../instruments/names.js';
import { SERIES_LAYOUT, type SeriesState } from '../instruments/SeriesState.js';

/**
 * Series of the exact record packed for the SQLite writer: a few flat arrays, which cross to the
 * writer thread in one copy each, where the series themselves are a dozen objects apiece. Series
 * `i` has its numbers from `values[i * SERIES_LAYOUT.length]` (laid out as SERIES_LAYOUT says), its
 * start and end (epoch ms) at `times[2 * i]` and `times[2 * i + 1]`, and its identity at `i` of the
 * id arrays (null for none).
 */
export interface SeriesBatch {
  readonly values: Float64Array;
  readonly times: Float64Array;
  readonly skillIds: (string | null)[];
  readonly userIds: (string | null)[];
  readonly orgIds: (string | null)[];
  readonly agentNames: (string | null)[];
  /** 1 for a series that folds identities past a limit. */
  readonly overflow: Uint8Array;
}

/**
 * Series per batch. Packing and handing over one batch is a short stretch of the application's
 * thread, and the writer thread maps one batch while the next is packed.
 */
export const SERIES_PER_BATCH = 2048;

/**
 * Packs series a batch at a time into arrays of its own, the same ones each time: a batch is read,
 * or copied to the writer thread, before the next is packed, so handing over an interval allocates
 * nothing the application's garbage collector has to follow.
 */
export class SeriesPacker {
  readonly #values = new Float64Array(SERIES_PER_BATCH * SERIES_LAYOUT.length);
  readonly #times = new Float64Array(SERIES_PER_BATCH * 2);
  readonly #overflow = new Uint8Array(SERIES_PER_BATCH);

  /**
   * Packs the next series of `series` (at most SERIES_PER_BATCH, fewer once it runs out), whose
   * collection was at `endMs`.
   */
  pack(series: Iterator<SeriesState>, endMs: number): SeriesBatch {
    const values = this.#values;
    const times = this.#times;
    const overflow = this.#overflow;
    const skillIds: (string | null)[] = [];
    const userIds: (string | null)[] = [];
    const orgIds: (string | null)[] = [];
    const agentNames: (string | null)[] = [];
    let count = 0;
    while (count < SERIES_PER_BATCH) {
      const next = series.next();
      if (next.done === true) break;
      const state = next.value;
      state.copyTo(values, count * SERIES_LAYOUT.length);
      times[2 * count] = state.startEpochMs;
      times[2 * count + 1] = state.endEpochMs ?? endMs;
      const { attributes } = state;
      skillIds.push(text(attributes[ATTR.skillId]));
      userIds.push(text(attributes[ATTR.userId]));
      orgIds.push(text(attributes[ATTR.orgId]));
      agentNames.push(text(attributes[ATTR.agentName]));
      overflow[count++] = attributes[ATTR.overflow] === true ? 1 : 0;
    }
    return {
      values: values.subarray(0, count * SERIES_LAYOUT.length),
      times: times.subarray(0, count * 2),
      skillIds,
      userIds,
      orgIds,
      agentNames,
      overflow: overflow.subarray(0, count),
    };
  }
}

/** The calls recorded in `drained`: what is lost if it never reaches the database. */
export function callsIn(drained: readonly DrainedSeries[]): number {
  let calls = 0;
  for (const { series } of drained) for (const state of series.values()) calls += state.executions;
  return calls;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
