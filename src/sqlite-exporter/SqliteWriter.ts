import type Database from 'better-sqlite3';
import { AggregateWriter } from './AggregateWriter.js';
import { CallRatingWriter } from './CallRatingWriter.js';
import type { GenericPoint, MappedExport, UsageRow } from './rows.js';
import { CALL_TOTAL_COLUMNS, putTotals, type StarCounts } from '../instruments/perCallColumns.js';
import { SKILL_METRICS_TOTAL_COLUMNS } from '../store/schema.js';

/** The columns of skill_usage before its totals, each with its value of a row. */
const KEYS = [
  ['skill_id', (row: UsageRow) => row.skillId],
  ['user_id', (row: UsageRow) => row.userId],
  ['org_id', (row: UsageRow) => row.orgId],
  ['agent_name', (row: UsageRow) => row.agentName ?? ''],
  ['timestamp', (row: UsageRow) => row.timestamp],
  ['interval_start', (row: UsageRow) => row.intervalStart],
] as const;

/** The columns of skill_usage after its totals, each with its value of a row. */
const DERIVED = [
  ['avg_latency_ms', (row: UsageRow) => (row.executions > 0 ? row.latencySumMs / row.executions : null)],
  ['latency_min_ms', (row: UsageRow) => row.latencyMinMs],
  ['latency_max_ms', (row: UsageRow) => row.latencyMaxMs],
  ['overflow', (row: UsageRow) => Number(row.overflow)],
] as const;

/** Every column skill_usage is written with, in bind order: the keys, the per-call totals of the registry, the derived columns. */
export const USAGE_COLUMNS: readonly string[] = Object.freeze([
  ...KEYS.map(([column]) => column),
  ...CALL_TOTAL_COLUMNS,
  ...DERIVED.map(([column]) => column),
]);

const INSERT_USAGE = `INSERT INTO skill_usage (${USAGE_COLUMNS.join(', ')}) VALUES (${USAGE_COLUMNS.map(() => '?').join(', ')})`;

const UPSERT_SKILL = `INSERT INTO skill_metrics (skill_id, ${SKILL_METRICS_TOTAL_COLUMNS.join(', ')}, rating_1_5_stars, first_seen, last_updated)
VALUES (?, ${SKILL_METRICS_TOTAL_COLUMNS.map(() => '?').join(', ')}, ?, ?, ?)
ON CONFLICT (skill_id) DO UPDATE SET
  ${SKILL_METRICS_TOTAL_COLUMNS.map((column) => `${column} = ${column} + excluded.${column}`).join(',\n  ')},
  rating_1_5_stars = CASE WHEN rating_count + excluded.rating_count > 0
    THEN (rating_sum + excluded.rating_sum) * 1.0 / (rating_count + excluded.rating_count) END,
  last_updated = max(last_updated, excluded.last_updated)`;

const UPSERT_SERIES = `INSERT INTO metric_series (name, description, unit, type, temporality, monotonic, scope_name, scope_version, attributes, first_seen, last_seen)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (name, scope_name, attributes) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)
RETURNING id`;
const TOUCH_SERIES = 'UPDATE metric_series SET last_seen = max(last_seen, ?) WHERE id = ?';
const INSERT_POINT = `INSERT INTO metric_points (series_id, start_time, timestamp, value, count, sum, min, max, bounds, bucket_counts)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * Writes mapped exports in one IMMEDIATE transaction each, with every statement prepared once:
 * the ratings of calls (see {@link CallRatingWriter}, which adds the rows that count them), the
 * skill_usage rows, the skill_metrics totals, the write-time aggregates (see {@link AggregateWriter})
 * and the generic points. Synchronous, as better-sqlite3 is: a batch
 * either lands whole or not at all.
 */
export class SqliteWriter {
  readonly #insertUsage: Database.Statement;
  readonly #upsertSkill: Database.Statement;
  readonly #upsertSeries: Database.Statement;
  readonly #touchSeries: Database.Statement;
  readonly #insertPoint: Database.Statement;
  readonly #aggregates: AggregateWriter;
  readonly #callRatings: CallRatingWriter;
  readonly #write: (rows: MappedExport) => void;
  /** Series ids by identity, with the last time written, so a known series costs one insert per point. */
  readonly #seriesIds = new Map<string, { id: number | bigint; lastSeen: string }>();

  constructor(db: Database.Database) {
    this.#insertUsage = db.prepare(INSERT_USAGE);
    this.#upsertSkill = db.prepare(UPSERT_SKILL);
    this.#upsertSeries = db.prepare(UPSERT_SERIES);
    this.#touchSeries = db.prepare(TOUCH_SERIES);
    this.#insertPoint = db.prepare(INSERT_POINT);
    this.#aggregates = new AggregateWriter(db);
    this.#callRatings = new CallRatingWriter(db);
    const transaction = db.transaction((rows: MappedExport) => this.#writeRows(rows));
    this.#write = (rows) => transaction.immediate(rows);
  }

  /** Writes every row, or throws and writes none. */
  write(rows: MappedExport): void {
    const known = new Map(this.#seriesIds);
    try {
      this.#write(rows);
    } catch (error) {
      // Ids learnt inside a rolled-back transaction may not exist.
      this.#seriesIds.clear();
      for (const [key, value] of known) this.#seriesIds.set(key, value);
      throw error;
    }
  }

  #writeRows({ usage: calls, points, callRatings }: MappedExport): void {
    const usage = callRatings === undefined || callRatings.length === 0 ? calls : [...calls, ...this.#callRatings.rows(callRatings)];
    const values = new Array<unknown>(USAGE_COLUMNS.length);
    // Spread into arguments: better-sqlite3 binds those faster than the elements of an array (a sixth of the insert's time).
    for (const row of usage) this.#insertUsage.run(...usageValues(row, values));
    for (const skill of skillTotals(usage)) this.#upsertSkill.run(skill);
    this.#aggregates.write(usage);
    for (const point of points) this.#writePoint(point);
  }

  #writePoint(point: GenericPoint): void {
    const key = `${point.name}\u0000${point.scopeName}\u0000${point.attributes}`;
    let series = this.#seriesIds.get(key);
    if (series === undefined) {
      const { id } = this.#upsertSeries.get(
        point.name,
        point.description,
        point.unit,
        point.type,
        point.temporality,
        point.monotonic === null ? null : Number(point.monotonic),
        point.scopeName,
        point.scopeVersion,
        point.attributes,
        point.timestamp,
        point.timestamp,
      ) as { id: number | bigint };
      series = { id, lastSeen: point.timestamp };
      this.#seriesIds.set(key, series);
    } else if (series.lastSeen !== point.timestamp) {
      this.#touchSeries.run(point.timestamp, series.id);
      series.lastSeen = point.timestamp;
    }
    this.#insertPoint.run(
      series.id,
      point.startTime,
      point.timestamp,
      point.value,
      point.count,
      point.sum,
      point.min,
      point.max,
      point.bounds,
      point.bucketCounts,
    );
  }
}

/**
 * Puts a row's values into `values`, in USAGE_COLUMNS order, and returns it: one array filled for
 * every row (SQLite copies what is bound), instead of one built, with spreads, per row.
 */
export function usageValues(row: UsageRow, values: unknown[]): unknown[] {
  let column = 0;
  for (const [, value] of KEYS) values[column++] = value(row);
  column = putTotals(row, values, column);
  for (const [, value] of DERIVED) values[column++] = value(row);
  return values;
}

/** One skill_metrics upsert per skill: the ratings and installs of its rows, added up. */
function skillTotals(usage: readonly UsageRow[]): unknown[][] {
  const totals = new Map<
    string,
    { ratingCount: number; ratingSum: number; stars: StarCounts; installs: number; first: string; last: string }
  >();
  for (const row of usage) {
    let total = totals.get(row.skillId);
    if (total === undefined) {
      total = { ratingCount: 0, ratingSum: 0, stars: [0, 0, 0, 0, 0], installs: 0, first: row.timestamp, last: row.timestamp };
      totals.set(row.skillId, total);
    }
    total.ratingCount += row.ratingCount;
    total.ratingSum += row.ratingSum;
    row.stars.forEach((count, index) => (total.stars[index]! += count));
    total.installs += row.installs;
    if (row.timestamp < total.first) total.first = row.timestamp;
    if (row.timestamp > total.last) total.last = row.timestamp;
  }
  return [...totals].map(([skillId, t]) => [
    skillId,
    t.ratingCount,
    t.ratingSum,
    ...t.stars,
    t.installs,
    t.ratingCount > 0 ? t.ratingSum / t.ratingCount : null,
    t.first,
    t.last,
  ]);
}
