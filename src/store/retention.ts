import type Database from 'better-sqlite3';
import { retryWhileBusy } from './busyRetry.js';
import { META, setMeta } from './meta.js';
import { sqliteTime } from './schema.js';

/** Options of {@link applyRetention}. */
export interface RetentionOptions {
  /** Days of raw rows kept, 1 or more: rows of earlier days are rolled up (skill_usage) and deleted. */
  retentionDays: number;
  /** The current time, epoch milliseconds. @default Date.now() */
  now?: number;
}

/** What one retention run did. */
export interface RetentionResult {
  /** The first day kept, 'YYYY-MM-DD' (UTC), as `date(now, '-N days')`: rows timestamped earlier are gone. */
  readonly cutoff: string;
  /** Raw skill_usage rows folded into skill_usage_daily (and then deleted). */
  readonly rolledUpRows: number;
  /** skill_usage_daily rows created or added to. */
  readonly dailyRows: number;
  /** Rows deleted, per table. */
  readonly deleted: Readonly<Record<PrunedTable, number>>;
}

/**
 * The tables retention deletes from, with the column that dates their rows. The write-time
 * aggregates go with the raw rows they add up (an hour or day before the cutoff day compares less
 * than it); skill_user_first is kept, so adoption curves reach back past the retention.
 */
const PRUNED = Object.freeze({
  skill_usage: 'timestamp',
  skill_usage_hourly: 'hour',
  skill_usage_by_day: 'day',
  skill_user_daily: 'day',
  user_daily: 'day',
  metric_points: 'timestamp',
  recommendation_log: 'timestamp',
  leaderboard_cache: 'computed_at',
  skill_call_rating: 'counted_at',
});

/**
 * The first day kept of each skill and user (and of each skill, user and org) whose earlier days go
 * is left with no day before it ('' in prev_day, or prev_day_in_org). Run before the delete, which
 * finds the days that go (one seek for each).
 */
const unlinkPrunedDays = (link: 'prev_day' | 'prev_day_in_org', sameChain: string) => `UPDATE skill_user_daily SET ${link} = ''
WHERE (skill_id, user_id, day) IN (
  SELECT gone.skill_id, gone.user_id, (SELECT min(kept.day) FROM skill_user_daily AS kept
    WHERE kept.skill_id = gone.skill_id AND kept.user_id = gone.user_id${sameChain} AND kept.day >= ?)
  FROM skill_user_daily AS gone WHERE gone.day < ?)`;
const UNLINK_PRUNED_DAYS = [unlinkPrunedDays('prev_day', ''), unlinkPrunedDays('prev_day_in_org', ' AND kept.org_id = gone.org_id')];

/** A table {@link applyRetention} deletes old rows from. */
export type PrunedTable = keyof typeof PRUNED;

/** Time between retention runs of {@link scheduleRetention}. */
export const RETENTION_INTERVAL_MS = 24 * 60 * 60 * 1000;

interface RetentionStatements {
  readonly cutoff: Database.Statement<[string, string]>;
  readonly rollUp: Database.Statement<[string]>;
  readonly unlink: ReadonlyArray<Database.Statement<[string, string]>>;
  readonly prune: ReadonlyArray<readonly [PrunedTable, Database.Statement<[string]>]>;
  readonly run: (now: number, modifier: string) => RetentionResult;
}

const prepared = new WeakMap<Database.Database, RetentionStatements>();

/**
 * Deletes rows older than `retentionDays` days, day-aligned exactly as the guide's
 * `DELETE FROM skill_usage WHERE timestamp < date('now', '-365 days')`: every row of a day before the
 * cutoff day goes, every row of the cutoff day and later stays. Raw skill_usage rows are first rolled
 * up into skill_usage_daily (per skill, org, day and agent; org and agent '' for none), in the same
 * transaction, so long-range trends survive. The write-time aggregates of the same hours and days
 * (skill_usage_hourly, skill_usage_by_day, skill_user_daily, user_daily), old metric_points,
 * recommendation_log and leaderboard_cache rows, and the ratings of calls counted before the cutoff
 * (skill_call_rating: a later rating of such a call counts as a new one) are deleted too, and the
 * first days kept in skill_user_daily lose their links to the days deleted; skill_user_first is never pruned.
 * Records `last_retention_at` in toolweaver_meta.
 *
 * Additive columns are summed into the daily row, so a day whose rows come in two runs still adds up.
 * `distinct_users` counts the identified users of the day (overflow rows and rows without a user
 * are not counted); when a day already rolled up gets more rows in a later run, it keeps the larger
 * of the two counts, which can undercount (the users of the earlier run are gone), never overcount.
 *
 * @throws {RangeError} when retentionDays is not a whole number of days, 1 or more.
 */
export function applyRetention(db: Database.Database, options: RetentionOptions): RetentionResult {
  checkRetentionDays(options.retentionDays, 'applyRetention');
  const now = options.now ?? Date.now();
  if (!Number.isFinite(now)) throw new RangeError(`applyRetention: option "now" must be epoch milliseconds, got ${String(now)}`);
  const statements = statementsFor(db);
  return retryWhileBusy(() => statements.run(now, `-${options.retentionDays} days`));
}

/**
 * Applies retention now and every 24 hours, on a timer that does not keep the process alive.
 * Failures go to `onError`, never thrown; a closed database stops the schedule.
 * @throws {RangeError} when retentionDays is not a whole number of days, 1 or more.
 */
export function scheduleRetention(
  db: Database.Database,
  retentionDays: number,
  onError: (error: unknown) => void,
  firstAfterMs = 0,
): { stop(): void } {
  checkRetentionDays(retentionDays, 'scheduleRetention');
  const run = (): void => {
    if (!db.open) {
      stop();
      return;
    }
    try {
      applyRetention(db, { retentionDays });
    } catch (error) {
      onError(error);
    }
  };
  const timer = setInterval(run, RETENTION_INTERVAL_MS);
  timer.unref();
  // The first run may wait (`firstAfterMs`), so that an application's start never waits for it.
  const first = firstAfterMs > 0 ? setTimeout(run, firstAfterMs).unref() : undefined;
  const stop = (): void => {
    clearInterval(timer);
    clearTimeout(first);
  };
  if (first === undefined) run();
  return { stop };
}

function statementsFor(db: Database.Database): RetentionStatements {
  let statements = prepared.get(db);
  if (statements === undefined) {
    statements = prepareRetention(db);
    prepared.set(db, statements);
  }
  return statements;
}

function prepareRetention(db: Database.Database): RetentionStatements {
  const cutoff = db.prepare<[string, string]>('SELECT date(?, ?)').pluck();
  const rollUp = db.prepare<[string]>(rollUpSql(additiveColumns(db)));
  const unlink = UNLINK_PRUNED_DAYS.map((sql) => db.prepare<[string, string]>(sql));
  const prune = Object.entries(PRUNED).map(
    ([table, column]) => [table as PrunedTable, db.prepare<[string]>(`DELETE FROM ${table} WHERE ${column} < ?`)] as const,
  );
  const run = db.transaction((now: number, modifier: string): RetentionResult => {
    const day = cutoff.get(sqliteTime(now), modifier) as string;
    const dailyRows = rollUp.run(day).changes;
    for (const statement of unlink) statement.run(day, day);
    const deleted = Object.fromEntries(prune.map(([table, statement]) => [table, statement.run(day).changes])) as Record<
      PrunedTable,
      number
    >;
    setMeta(db, META.lastRetentionAt, sqliteTime(now));
    return { cutoff: day, rolledUpRows: deleted.skill_usage, dailyRows, deleted };
  });
  return { cutoff, rollUp, unlink, prune, run: (now, modifier) => run.immediate(now, modifier) };
}

/** The columns skill_usage_daily is keyed by that skill_usage has too. */
const KEY_COLUMNS: ReadonlySet<string> = new Set(['skill_id', 'org_id', 'agent_name']);

/**
 * The columns skill_usage_daily shares with skill_usage, other than the key: by the schema's
 * design these are the additive totals (counts, latency sum and buckets, errors, ratings, installs).
 */
export function additiveColumns(db: Database.Database): string[] {
  const columnsOf = (table: string) => db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
  const raw = new Set(columnsOf('skill_usage'));
  return columnsOf('skill_usage_daily').filter((column) => raw.has(column) && !KEY_COLUMNS.has(column));
}

function rollUpSql(additive: readonly string[]): string {
  return `INSERT INTO skill_usage_daily (skill_id, org_id, day, agent_name, ${additive.join(', ')}, distinct_users)
SELECT skill_id, coalesce(org_id, ''), substr(timestamp, 1, 10), agent_name, ${additive.map((column) => `sum(${column})`).join(', ')},
  count(DISTINCT CASE WHEN overflow = 0 THEN user_id END)
FROM skill_usage WHERE timestamp < ?
GROUP BY 1, 2, 3, 4
ON CONFLICT (skill_id, org_id, day, agent_name) DO UPDATE SET
  ${additive.map((column) => `${column} = ${column} + excluded.${column}`).join(',\n  ')},
  distinct_users = max(distinct_users, excluded.distinct_users)`;
}

function checkRetentionDays(days: number, caller: string): void {
  if (!Number.isInteger(days) || days < 1) {
    throw new RangeError(
      `${caller}: retentionDays must be a whole number of days, 1 or more, got ${String(days)} (ANALYTICS_DB_RETENTION_DAYS)`,
    );
  }
}
