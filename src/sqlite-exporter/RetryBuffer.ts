import type { CallRating } from '../instruments/callRatings.js';
import { addTotals } from '../instruments/perCallColumns.js';
import { emptyRow, type GenericPoint, type MappedExport, type UsageRow } from './rows.js';

/** What the buffer had to give up to stay within its bound. */
export interface BufferLosses {
  /** Usage rows merged into per-skill overflow rows: their counts are kept, their user split is not. */
  foldedRows: number;
  /** Generic points dropped, oldest first. */
  droppedPoints: number;
  /** Ratings of calls dropped, oldest first, past the limit (they cannot fold: each may replace another). */
  droppedRatings: number;
}

/**
 * Rows waiting to be written, oldest first. Every export adds its rows whole and is written whole;
 * only rows that wait after a failed write are bounded ({@link RetryBuffer.bound}): past `limit`,
 * generic points, which cannot be merged, are dropped oldest first, then just enough of the oldest
 * usage rows fold into one overflow row per skill to fit, which keeps every count. Ratings of calls
 * are bounded apart, to `limit` of them, the oldest dropped.
 */
export class RetryBuffer {
  readonly #limit: number;
  #usage: UsageRow[] = [];
  #points: GenericPoint[] = [];
  #callRatings: CallRating[] = [];
  readonly losses: BufferLosses = { foldedRows: 0, droppedPoints: 0, droppedRatings: 0 };

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  get size(): number {
    return this.#usage.length + this.#points.length + this.#callRatings.length;
  }

  /** Adds an export's rows, all of them: the bound applies only to rows left waiting. */
  add(rows: MappedExport): void {
    for (const row of rows.usage) this.#usage.push(row);
    for (const point of rows.points) this.#points.push(point);
    for (const rating of rows.callRatings ?? []) this.#callRatings.push(rating);
  }

  /** After a failed write: folds or drops the oldest rows past the limit. */
  bound(): void {
    const excessRatings = this.#callRatings.length - this.#limit;
    if (excessRatings > 0) {
      this.#callRatings = this.#callRatings.slice(excessRatings);
      this.losses.droppedRatings += excessRatings;
    }
    if (this.#usage.length + this.#points.length > this.#limit) this.#shrink();
  }

  /** The calls waiting. */
  calls(): number {
    let calls = 0;
    for (const row of this.#usage) calls += row.executions;
    return calls;
  }

  /** What waits, in words a person counts in: calls, ratings and installs (or metric points alone). */
  describe(): string {
    let calls = 0;
    let ratings = 0;
    let installs = 0;
    for (const row of this.#usage) {
      calls += row.executions;
      ratings += row.ratingCount;
      installs += row.installs;
    }
    ratings += this.#callRatings.length;
    const parts = [plural(calls, 'call')];
    if (ratings > 0) parts.push(plural(ratings, 'rating'));
    if (installs > 0) parts.push(plural(installs, 'install'));
    if (calls === 0 && ratings === 0 && installs === 0) return plural(this.#points.length, 'metric point');
    return parts.join(', ');
  }

  /** Everything waiting, in order; stays in the buffer until {@link RetryBuffer.clear}. */
  peek(): MappedExport {
    return { usage: this.#usage, points: this.#points, callRatings: this.#callRatings };
  }

  /** Forgets what was written. */
  clear(): void {
    this.#usage = [];
    this.#points = [];
    this.#callRatings = [];
  }

  #shrink(): void {
    const rows = () => this.#usage.length + this.#points.length;
    const excessPoints = Math.min(this.#points.length, rows() - this.#limit);
    if (excessPoints > 0) {
      this.#points = this.#points.slice(excessPoints);
      this.losses.droppedPoints += excessPoints;
    }
    const excess = rows() - this.#limit;
    if (excess <= 0) return;
    // Oldest first, fold rows until the folding has saved `excess` rows (a row into a skill's
    // overflow row already made saves one; the first of a skill saves none).
    const folded = new Map<string, UsageRow>();
    let consumed = 0;
    while (consumed < this.#usage.length && consumed - folded.size < excess) {
      const row = this.#usage[consumed++]!;
      let target = folded.get(row.skillId);
      if (target === undefined) {
        target = emptyRow(row.skillId, null, null, row.intervalStart, row.timestamp, true);
        folded.set(row.skillId, target);
      }
      mergeInto(target, row);
    }
    this.losses.foldedRows += consumed - folded.size;
    this.#usage = [...folded.values(), ...this.#usage.slice(consumed)];
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function mergeInto(target: UsageRow, row: UsageRow): void {
  addTotals(target, row);
  row.stars.forEach((count, index) => (target.stars[index]! += count));
  if (row.intervalStart < target.intervalStart) target.intervalStart = row.intervalStart;
  if (row.timestamp > target.timestamp) target.timestamp = row.timestamp;
  target.latencyMinMs = minOf(target.latencyMinMs, row.latencyMinMs);
  target.latencyMaxMs = maxOf(target.latencyMaxMs, row.latencyMaxMs);
}

function minOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.min(a, b);
}

function maxOf(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
