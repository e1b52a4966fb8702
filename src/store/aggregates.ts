import type Database from 'better-sqlite3';
import { REAL_TOTAL_COLUMNS } from '../instruments/perCallColumns.js';
import { retryWhileBusy } from './busyRetry.js';
import { closeDaysBefore } from './closedDays.js';
import {
  BACKFILL_BY_DAY,
  BACKFILL_HOURLY,
  DAILY_FROM_USAGE,
  BACKFILL_USER_DAILY,
  BACKFILL_USER_DAYS,
  BACKFILL_USER_FIRST,
  HOURLY_FROM_USAGE,
  HOURLY_TOTAL_COLUMNS,
  LINK_PREV_DAYS,
  PREV_DAYS_OF_USER_DAILY,
  USER_DAY_FROM_USAGE,
  USER_DAYS_OF_USER_DAILY,
  USER_DAY_TOTAL_COLUMNS,
  USER_FIRST_FROM_USAGE,
} from './schema.js';

/** What {@link checkAggregates} found. */
export interface AggregateCheck {
  /** True when every aggregate row agrees with the skill_usage rows it adds up. */
  ok: boolean;
  /** One line per disagreement (at most 100), naming the table, the row and the values; empty when ok. */
  problems: string[];
}

/** Rows {@link rebuildAggregates} wrote, per table. */
export interface AggregateRebuild {
  /** The first day rebuilt, 'YYYY-MM-DD': the day of the earliest skill_usage row; null when skill_usage is empty. */
  readonly from: string | null;
  readonly skill_usage_hourly: number;
  readonly skill_usage_by_day: number;
  readonly skill_user_daily: number;
  readonly skill_user_first: number;
  readonly user_daily: number;
}

const MAX_PROBLEMS = 100;

/** latency_sum_ms is added in another order by the writer than by SQLite's sum(): allow for rounding. */
const REAL_COLUMNS: ReadonlySet<string> = REAL_TOTAL_COLUMNS;

/** How one aggregate table is compared with the GROUP BY over skill_usage that it should equal. */
interface Comparison {
  readonly table: string;
  readonly keys: readonly string[];
  readonly columns: readonly string[];
  /** The rows the table should hold: from skill_usage, unless `source` names another table. */
  readonly expected: string;
  /** What `expected` is computed from, as problems name it. @default 'skill_usage' */
  readonly source?: string;
  /**
   * When a row `a` of the table that skill_usage has no rows for is wrong: when it is dated on or
   * after `:from`, the first day skill_usage holds (earlier days are gone from skill_usage).
   */
  readonly extra: string;
  /** When an expected row `e` and an actual row `a` with the same key disagree. */
  readonly differs: string;
}

/** The JavaScript twin of {@link differsIn}, for one column. */
function agrees(column: string, expected: unknown, actual: unknown): boolean {
  if (!REAL_COLUMNS.has(column) || typeof expected !== 'number' || typeof actual !== 'number') return expected === actual;
  return Math.abs(expected - actual) <= 1e-9 * Math.max(1, Math.abs(expected));
}

const differsIn = (columns: readonly string[]) =>
  columns
    .map((column) =>
      REAL_COLUMNS.has(column) ? `abs(e.${column} - a.${column}) > 1e-9 * max(1.0, abs(e.${column}))` : `e.${column} IS NOT a.${column}`,
    )
    .join(' OR ');

const COMPARISONS: readonly Comparison[] = [
  {
    table: 'skill_usage_hourly',
    keys: ['skill_id', 'org_id', 'hour', 'agent_name'],
    columns: HOURLY_TOTAL_COLUMNS,
    expected: HOURLY_FROM_USAGE,
    extra: 'a.hour >= :from',
    differs: differsIn(HOURLY_TOTAL_COLUMNS),
  },
  {
    table: 'skill_usage_by_day',
    keys: ['skill_id', 'org_id', 'day', 'agent_name'],
    columns: HOURLY_TOTAL_COLUMNS,
    expected: DAILY_FROM_USAGE,
    extra: 'a.day >= :from',
    differs: differsIn(HOURLY_TOTAL_COLUMNS),
  },
  {
    table: 'skill_user_daily',
    keys: ['skill_id', 'user_id', 'day'],
    columns: ['org_id', ...USER_DAY_TOTAL_COLUMNS],
    expected: USER_DAY_FROM_USAGE,
    extra: 'a.day >= :from',
    differs: differsIn(['org_id', ...USER_DAY_TOTAL_COLUMNS]),
  },
  {
    // The links between the rows of skill_user_daily, and user_daily, follow from skill_user_daily
    // alone: checked against it, every day included, so that a row the raw rows disagree with is
    // named once, in skill_user_daily, and a wrong link or user_daily row where it is.
    table: 'skill_user_daily',
    keys: ['skill_id', 'user_id', 'day'],
    columns: ['prev_day', 'prev_day_in_org'],
    expected: PREV_DAYS_OF_USER_DAILY,
    source: 'skill_user_daily',
    extra: 'true',
    differs: 'e.prev_day IS NOT a.prev_day OR e.prev_day_in_org IS NOT a.prev_day_in_org',
  },
  {
    table: 'user_daily',
    keys: ['day', 'user_id', 'org_id'],
    columns: [],
    expected: USER_DAYS_OF_USER_DAILY,
    source: 'skill_user_daily',
    extra: 'true',
    differs: 'false',
  },
  {
    // Every row counts: a first day before the earliest raw row is history only this table keeps,
    // so it may be earlier than the raw rows say, but never later, and never wrong where they reach.
    table: 'skill_user_first',
    keys: ['skill_id', 'user_id'],
    columns: ['first_day', 'org_id'],
    expected: USER_FIRST_FROM_USAGE,
    extra: 'a.first_day >= :from',
    differs:
      'a.first_day > e.first_day OR (a.first_day < e.first_day AND a.first_day >= :from) OR (a.first_day = e.first_day AND a.org_id IS NOT e.org_id)',
  },
];

/**
 * Compares the write-time aggregates (skill_usage_hourly, skill_usage_by_day, skill_user_daily, skill_user_first) with
 * a GROUP BY over skill_usage, for the days skill_usage still holds: from the day of its earliest
 * row on (earlier days are gone from skill_usage, by retention or by hand, and cannot be checked).
 * skill_user_daily's links to earlier days, and user_daily, which follow from skill_user_daily, are
 * compared with it, over every day. Reads every skill_usage row: seconds on a large database.
 */
export function checkAggregates(db: Database.Database): AggregateCheck {
  const from = firstRawDay(db);
  if (from === null) return { ok: true, problems: [] };
  const problems: string[] = [];
  for (const comparison of COMPARISONS) {
    if (problems.length >= MAX_PROBLEMS) break;
    problems.push(...compare(db, comparison, from, MAX_PROBLEMS - problems.length));
  }
  return { ok: problems.length === 0, problems };
}

/**
 * Recomputes the write-time aggregates from skill_usage, for a database whose skill_usage was edited
 * by hand: every hour and day from the earliest skill_usage row on is replaced; earlier ones, whose
 * raw rows are gone, are kept as they are, and so are first days before it in skill_user_first.
 * user_daily follows skill_user_daily, and every link of skill_user_daily to an earlier day is
 * set again; skill_usage_by_day gets its closed days again, and every day before the latest raw
 * row's is closed, as the writer would have. One IMMEDIATE transaction; the exporter's writes meanwhile wait, or retry at their
 * next export.
 */
export function rebuildAggregates(db: Database.Database): AggregateRebuild {
  const rebuild = db.transaction((): AggregateRebuild => {
    const from = firstRawDay(db);
    if (from === null)
      return { from, skill_usage_hourly: 0, skill_usage_by_day: 0, skill_user_daily: 0, skill_user_first: 0, user_daily: 0 };
    db.prepare('DELETE FROM skill_usage_hourly WHERE hour >= ?').run(from);
    db.prepare('DELETE FROM skill_usage_by_day WHERE day >= ?').run(from);
    db.prepare('DELETE FROM skill_user_daily WHERE day >= ?').run(from);
    db.prepare('DELETE FROM skill_user_first WHERE first_day >= ?').run(from);
    db.prepare('DELETE FROM user_daily WHERE day >= ?').run(from);
    const skillUserDaily = db.prepare(BACKFILL_USER_DAILY).run().changes;
    db.prepare(LINK_PREV_DAYS).run();
    return {
      from,
      skill_usage_hourly: db.prepare(BACKFILL_HOURLY).run().changes,
      skill_usage_by_day: db.prepare(BACKFILL_BY_DAY).run().changes + closeDaysBefore(db, lastRawDay(db)!),
      skill_user_daily: skillUserDaily,
      skill_user_first: db.prepare(BACKFILL_USER_FIRST).run().changes,
      user_daily: db.prepare(BACKFILL_USER_DAYS).run().changes,
    };
  });
  return retryWhileBusy(() => rebuild.immediate());
}

/** The day of the latest skill_usage row, 'YYYY-MM-DD', or null when there is none. */
function lastRawDay(db: Database.Database): string | null {
  return db.prepare('SELECT substr(max(timestamp), 1, 10) FROM skill_usage').pluck().get() as string | null;
}

/** The day of the earliest skill_usage row, 'YYYY-MM-DD', or null when there is none. */
function firstRawDay(db: Database.Database): string | null {
  return db.prepare('SELECT substr(min(timestamp), 1, 10) FROM skill_usage').pluck().get() as string | null;
}

// The join is on the table itself, not on a filtered copy, so that SQLite looks rows up by its primary key.
function compare(
  db: Database.Database,
  { table, keys, columns, expected, source = 'skill_usage', extra, differs }: Comparison,
  from: string,
  limit: number,
): string[] {
  const both = [...keys, ...columns];
  const sql = `WITH expected AS (${expected})
SELECT ${both.map((column) => `e.${column} AS e_${column}, a.${column} AS a_${column}`).join(', ')}
FROM expected AS e FULL JOIN ${table} AS a ON ${keys.map((key) => `e.${key} = a.${key}`).join(' AND ')}
WHERE CASE WHEN e.${keys[0]} IS NULL THEN ${extra} WHEN a.${keys[0]} IS NULL THEN true ELSE ${differs} END
LIMIT :limit`;
  const rows = db.prepare(sql).all({ from, limit }) as Record<string, unknown>[];
  return rows.map((row) => describe(table, keys, columns, source, row));
}

function describe(
  table: string,
  keys: readonly string[],
  columns: readonly string[],
  source: string,
  row: Record<string, unknown>,
): string {
  const side = row[`e_${keys[0]}`] === null ? 'a' : 'e';
  const key = keys.map((column) => `${column}=${JSON.stringify(row[`${side}_${column}`])}`).join(', ');
  if (row[`a_${keys[0]}`] === null) return `${table} (${key}): missing, though ${source} has rows for it`;
  if (row[`e_${keys[0]}`] === null) return `${table} (${key}): ${source} has no rows for it`;
  const wrong = columns
    .filter((column) => !agrees(column, row[`e_${column}`], row[`a_${column}`]))
    .map((column) => `${column} is ${JSON.stringify(row[`a_${column}`])}, ${source} says ${JSON.stringify(row[`e_${column}`])}`);
  return `${table} (${key}): ${wrong.join('; ')}`;
}
