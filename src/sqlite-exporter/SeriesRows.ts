import { HISTOGRAM_LAYOUT } from '../instruments/HistogramState.js';
import { SERIES_LAYOUT } from '../instruments/SeriesState.js';
import { emptyRow, type UsageRow } from './rows.js';
import { OVERFLOW_SKILL_ID, sqliteTime } from '../store/schema.js';
import type { SeriesBatch } from './SeriesBatch.js';
import { type NewRow, UsageRowIndex } from './UsageRowIndex.js';

const { count: COUNT, sum: SUM, min: MIN, max: MAX, firstBucket: FIRST_BUCKET } = HISTOGRAM_LAYOUT;
const LATENCIES = [SERIES_LAYOUT.successLatency, SERIES_LAYOUT.failureLatency] as const;
const ERROR_TYPE_COUNT = SERIES_LAYOUT.successLatency - SERIES_LAYOUT.failures;

/**
 * The skill_usage rows of one export, from its packed series: one row per interval end, overflow,
 * skill, user, org and agent with activity (a call, a rating or an install), added up where several series
 * share one (two recorders on one reader, say). Pure, and the one mapping of the exact record,
 * whether it runs in the writer thread or in the application's.
 */
export class SeriesRows {
  readonly #index = new UsageRowIndex(newRow);
  readonly #start = new LastTimeText();
  readonly #end = new LastTimeText();

  /** Adds the series of `batch`. */
  add(batch: SeriesBatch): void {
    const { values, times } = batch;
    const length = SERIES_LAYOUT.length;
    for (let i = 0; i < batch.overflow.length; i++) {
      const at = i * length;
      const executions = values[at + SERIES_LAYOUT.executions]!;
      const installs = values[at + SERIES_LAYOUT.installs]!;
      const ratings = at + SERIES_LAYOUT.ratings;
      if (executions === 0 && installs === 0 && values[ratings + COUNT] === 0) continue;
      const start = this.#start.of(times[2 * i]!);
      const row = this.#index.get(
        this.#end.of(times[2 * i + 1]!),
        batch.overflow[i] === 1,
        batch.skillIds[i] ?? OVERFLOW_SKILL_ID,
        batch.userIds[i]!,
        batch.orgIds[i]!,
        batch.agentNames[i]!,
        start,
      );
      if (start < row.intervalStart) row.intervalStart = start;
      row.executions += executions;
      row.successes += values[at + SERIES_LAYOUT.successes]!;
      row.installs += installs;
      addFailures(row, values, at + SERIES_LAYOUT.failures);
      for (const latency of LATENCIES) addLatency(row, values, at + latency);
      addRatings(row, values, ratings);
    }
  }

  /** The rows, in the order their first series came. */
  rows(): UsageRow[] {
    return this.#index.rows();
  }
}

/** The first row of an identity, as {@link UsageRowIndex} makes it. */
const newRow: NewRow = (timestamp, overflow, skillId, userId, orgId, agentName, intervalStart) =>
  emptyRow(skillId, userId, orgId, intervalStart, timestamp, overflow || skillId === OVERFLOW_SKILL_ID, agentName);

function addFailures(row: UsageRow, values: Float64Array, at: number): void {
  for (let type = 0; type < ERROR_TYPE_COUNT; type++) {
    const count = values[at + type]!;
    row.errors[type]! += count;
    row.failures += count;
  }
}

function addLatency(row: UsageRow, values: Float64Array, at: number): void {
  if (values[at + COUNT] === 0) return;
  row.latencySumMs += values[at + SUM]!;
  const buckets = row.latencyBuckets;
  for (let bucket = 0; bucket < buckets.length; bucket++) buckets[bucket]! += values[at + FIRST_BUCKET + bucket]!;
  const min = values[at + MIN]!;
  const max = values[at + MAX]!;
  row.latencyMinMs = row.latencyMinMs === null ? min : Math.min(row.latencyMinMs, min);
  row.latencyMaxMs = row.latencyMaxMs === null ? max : Math.max(row.latencyMaxMs, max);
}

/** Ratings: their count and sum, and one count per star (the buckets of RATING_BOUNDARIES up to 5). */
function addRatings(row: UsageRow, values: Float64Array, at: number): void {
  const count = values[at + COUNT]!;
  if (count === 0) return;
  row.ratingCount += count;
  row.ratingSum += values[at + SUM]!;
  for (let star = 0; star < row.stars.length; star++) row.stars[star]! += values[at + FIRST_BUCKET + star]!;
}

/** The SQLite text of the last time asked for: the series of an export share a handful, and formatting a Date is most of a row's cost. */
class LastTimeText {
  #epochMs = NaN;
  #text = '';

  of(epochMs: number): string {
    if (epochMs !== this.#epochMs) {
      this.#epochMs = epochMs;
      this.#text = sqliteTime(epochMs);
    }
    return this.#text;
  }
}
