/**
 * The database schema: the guide's four tables with the columns the guide names (and what
 * percentiles, error breakdowns and rollups need), a daily rollup that outlives retention, and a
 * generic store for every other OpenTelemetry metric. Times are UTC text 'YYYY-MM-DD HH:MM:SS',
 * so the guide's `timestamp < date('now', '-365 days')` compares as intended.
 * Migrations are applied in order by `PRAGMA user_version`.
 */

import { CALL_TOTAL_COLUMNS, STAR_COLUMNS, columnsOf, totalColumnType, type ScalarTotalField } from '../instruments/perCallColumns.js';

/** `PRAGMA application_id` of our databases ('TWA1'): tells ours from a foreign SQLite file. */
export const APPLICATION_ID = 0x54574131;

/** A column of counts, as the schema declares it. */
const counted = (column: string, type = 'INTEGER') => `  ${column} ${type} NOT NULL DEFAULT 0`;

/**
 * The schema version whose migration added each per-call column (CALL_TOTAL_COLUMNS, STAR_COLUMNS)
 * that came after the first three versions; empty so far. The migrations of earlier versions build
 * their tables without it, and the migration of its version adds it (ALTER TABLE … ADD COLUMN) to
 * every table that keeps it, so an older file moves forward and a new one ends up with the same
 * columns. A bucket, error type or star added to the registry names its column here with the next
 * version: test/store/perCallSchema.test.ts fails until it does.
 */
export const PER_CALL_COLUMNS_ADDED_IN: Readonly<Record<string, number>> = Object.freeze({});

/** The versions whose tables were written out by hand; the per-call columns of these are those not added later. */
const FIRST_VERSIONS = 3;

/** Whether a per-call column was in the schema at `version`. */
const existedAt = (version: number) => (column: string) => (PER_CALL_COLUMNS_ADDED_IN[column] ?? 1) <= version;

/** The totals of calls at `version` (all of them at the current one), in registry order. */
const totalsAt = (version: number): readonly string[] => CALL_TOTAL_COLUMNS.filter(existedAt(version));

/** Columns skill_usage, skill_usage_daily and skill_usage_hourly share: the additive totals of calls, from the registry. */
const totalsDdl = (version: number) =>
  totalsAt(version)
    .map((column) => counted(column, totalColumnType(column)))
    .join(',\n');

/** The all-time totals of skill_metrics, in schema order: the ratings, one count per star, the installs. */
export const SKILL_METRICS_TOTAL_COLUMNS: readonly string[] = Object.freeze([
  ...columnsOf(['ratingCount', 'ratingSum']),
  ...STAR_COLUMNS,
  ...columnsOf(['installs']),
]);

/** The tables that keep every total of calls. */
export const CALL_TOTAL_TABLES = Object.freeze(['skill_usage', 'skill_usage_daily', 'skill_usage_hourly', 'skill_usage_by_day'] as const);

/**
 * SQL that adds per-call columns, as the migration of a version that adds some does: `totals` to
 * every table of {@link CALL_TOTAL_TABLES}, `stars` to skill_metrics.
 */
export function addPerCallColumns(totals: readonly string[], stars: readonly string[]): string {
  return [
    ...totals.flatMap((column) =>
      CALL_TOTAL_TABLES.map((table) => `ALTER TABLE ${table} ADD COLUMN ${counted(column, totalColumnType(column)).trim()};`),
    ),
    ...stars.map((column) => `ALTER TABLE skill_metrics ADD COLUMN ${counted(column).trim()};`),
  ].join('\n');
}

const VERSION_1 = `
CREATE TABLE skill_usage (
  id INTEGER PRIMARY KEY,
  skill_id TEXT NOT NULL,
  user_id TEXT,
  org_id TEXT,
  timestamp TEXT NOT NULL,
  interval_start TEXT NOT NULL,
${totalsDdl(1)},
  avg_latency_ms REAL,
  latency_min_ms REAL,
  latency_max_ms REAL,
  overflow INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_skill_usage_time ON skill_usage (timestamp);
CREATE INDEX ix_skill_usage_skill_time ON skill_usage (skill_id, timestamp);
CREATE INDEX ix_skill_usage_user_skill ON skill_usage (user_id, skill_id);

CREATE TABLE skill_usage_daily (
  skill_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  day TEXT NOT NULL,
${totalsDdl(1)},
  distinct_users INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (skill_id, org_id, day)
) WITHOUT ROWID;
CREATE INDEX ix_skill_usage_daily_day ON skill_usage_daily (day);

CREATE TABLE skill_metrics (
  skill_id TEXT PRIMARY KEY,
  rating_1_5_stars REAL,
${SKILL_METRICS_TOTAL_COLUMNS.filter(existedAt(1))
  .map((column) => counted(column))
  .join(',\n')},
  first_seen TEXT NOT NULL,
  last_updated TEXT NOT NULL
);

CREATE TABLE leaderboard_cache (
  id INTEGER PRIMARY KEY,
  metric_type TEXT NOT NULL,
  time_window TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  rank INTEGER NOT NULL,
  skill_id TEXT NOT NULL,
  score REAL NOT NULL,
  previous_rank INTEGER,
  details TEXT,
  computed_at TEXT NOT NULL
);
CREATE INDEX ix_leaderboard_cache_board ON leaderboard_cache (metric_type, time_window, org_id, rank);

CREATE TABLE recommendation_log (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL,
  org_id TEXT,
  recommended_skill_id TEXT NOT NULL,
  score REAL NOT NULL,
  reason TEXT,
  source TEXT,
  timestamp TEXT NOT NULL,
  outcome TEXT,
  outcome_at TEXT
);
CREATE INDEX ix_recommendation_log_user ON recommendation_log (user_id, timestamp);

CREATE TABLE metric_series (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  unit TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL,
  temporality TEXT NOT NULL,
  monotonic INTEGER,
  scope_name TEXT NOT NULL,
  scope_version TEXT NOT NULL DEFAULT '',
  attributes TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL,
  UNIQUE (name, scope_name, attributes)
);

CREATE TABLE metric_points (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL REFERENCES metric_series (id),
  start_time TEXT NOT NULL,
  timestamp TEXT NOT NULL,
  value REAL,
  count INTEGER,
  sum REAL,
  min REAL,
  max REAL,
  bounds TEXT,
  bucket_counts TEXT
);
CREATE INDEX ix_metric_points_series_time ON metric_points (series_id, timestamp);
CREATE INDEX ix_metric_points_time ON metric_points (timestamp);

CREATE TABLE toolweaver_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;

/** The additive totals of skill_usage_hourly and skill_usage_by_day, as in skill_usage and skill_usage_daily, in schema order. */
export const HOURLY_TOTAL_COLUMNS: readonly string[] = CALL_TOTAL_COLUMNS;

/** The totals skill_user_daily keeps, in schema order: the fields of the per-call registry it adds up. */
export const USER_DAY_TOTAL_FIELDS = Object.freeze([
  'executions',
  'successes',
  'failures',
  'ratingCount',
  'ratingSum',
  'installs',
] as const satisfies readonly ScalarTotalField[]);

/** The columns of {@link USER_DAY_TOTAL_FIELDS}. */
export const USER_DAY_TOTAL_COLUMNS: readonly string[] = Object.freeze(columnsOf(USER_DAY_TOTAL_FIELDS));

/** SQL for the UTC hour, 'YYYY-MM-DD HH:00:00', of a skill_usage row's `timestamp`. */
export const HOUR_OF_TIMESTAMP = "substr(timestamp, 1, 13) || ':00:00'";

/** SQL for the UTC day, 'YYYY-MM-DD', of a skill_usage row's `timestamp`. */
export const DAY_OF_TIMESTAMP = 'substr(timestamp, 1, 10)';

const sums = (columns: readonly string[]) => columns.map((column) => `sum(${column}) AS ${column}`).join(', ');

// The GROUP BYs below read every row; NOT INDEXED keeps SQLite from reading them through an index
// in skill order, which fetches each row from the table at random and takes half as long again.

/** skill_usage added up per skill, org ('' for none), hour and agent ('' for none): the rows skill_usage_hourly should hold. */
export const HOURLY_FROM_USAGE = `SELECT skill_id, coalesce(org_id, '') AS org_id, ${HOUR_OF_TIMESTAMP} AS hour, agent_name, ${sums(HOURLY_TOTAL_COLUMNS)}
FROM skill_usage NOT INDEXED GROUP BY 1, 2, 3, 4`;

/** skill_usage rows with a user added up per skill, user and day, with the org of the last row written (the highest id). */
export const USER_DAY_FROM_USAGE = `SELECT grouped.skill_id, grouped.user_id, grouped.day, coalesce(last.org_id, '') AS org_id,
  ${USER_DAY_TOTAL_COLUMNS.map((column) => `grouped.${column}`).join(', ')}
FROM (
  SELECT skill_id, user_id, ${DAY_OF_TIMESTAMP} AS day, max(id) AS last_id, ${sums(USER_DAY_TOTAL_COLUMNS)}
  FROM skill_usage NOT INDEXED WHERE user_id IS NOT NULL GROUP BY 1, 2, 3
) AS grouped JOIN skill_usage AS last ON last.id = grouped.last_id`;

/** The first day of each skill and user in skill_usage, with the org of that day's first row written. */
export const USER_FIRST_FROM_USAGE = `SELECT skill_id, user_id, org_id, day AS first_day FROM (
  SELECT skill_id, user_id, coalesce(org_id, '') AS org_id, ${DAY_OF_TIMESTAMP} AS day,
    row_number() OVER (PARTITION BY skill_id, user_id ORDER BY ${DAY_OF_TIMESTAMP}, id) AS nth
  FROM skill_usage NOT INDEXED WHERE user_id IS NOT NULL
) WHERE nth = 1`;

/** Fills skill_usage_hourly's `columns` from skill_usage as version 2 did, before the agent; the table must hold none of its hours. */
const backfillHourlyV2 = (columns: readonly string[]) => `INSERT INTO skill_usage_hourly (skill_id, org_id, hour, ${columns.join(', ')})
SELECT skill_id, coalesce(org_id, '') AS org_id, ${HOUR_OF_TIMESTAMP} AS hour, ${sums(columns)}
FROM skill_usage NOT INDEXED GROUP BY 1, 2, 3`;

/** SQL for the last closed day of skill_usage_by_day, '' when none (META.byDayThrough). */
export const BY_DAY_THROUGH = "coalesce((SELECT value FROM toolweaver_meta WHERE key = 'by_day_through'), '')";

/** skill_usage added up per skill, org ('' for none), closed day and agent: the rows skill_usage_by_day should hold. */
export const DAILY_FROM_USAGE = `SELECT skill_id, coalesce(org_id, '') AS org_id, ${DAY_OF_TIMESTAMP} AS day, agent_name, ${sums(HOURLY_TOTAL_COLUMNS)}
FROM skill_usage NOT INDEXED WHERE ${DAY_OF_TIMESTAMP} <= ${BY_DAY_THROUGH} GROUP BY 1, 2, 3, 4`;

/** Fills skill_usage_by_day from skill_usage, for the closed days; the table must hold none of them. */
export const BACKFILL_BY_DAY = `INSERT INTO skill_usage_by_day (skill_id, org_id, day, agent_name, ${HOURLY_TOTAL_COLUMNS.join(', ')})
${DAILY_FROM_USAGE}`;

/** Fills skill_usage_hourly from skill_usage; the table must hold none of its hours. */
export const BACKFILL_HOURLY = `INSERT INTO skill_usage_hourly (skill_id, org_id, hour, agent_name, ${HOURLY_TOTAL_COLUMNS.join(', ')})
${HOURLY_FROM_USAGE}`;

/** Fills skill_user_daily from skill_usage; the table must hold none of its days. */
export const BACKFILL_USER_DAILY = `INSERT INTO skill_user_daily (skill_id, user_id, day, org_id, ${USER_DAY_TOTAL_COLUMNS.join(', ')})
${USER_DAY_FROM_USAGE}`;

/** Fills skill_user_first from skill_usage, keeping the earlier first days the table already holds. */
export const BACKFILL_USER_FIRST = `INSERT INTO skill_user_first (skill_id, user_id, org_id, first_day)
${USER_FIRST_FROM_USAGE}
ON CONFLICT (skill_id, user_id) DO UPDATE SET org_id = excluded.org_id, first_day = excluded.first_day
  WHERE excluded.first_day < skill_user_first.first_day`;

/** The days, users and orgs of skill_user_daily: the rows user_daily should hold. */
export const USER_DAYS_OF_USER_DAILY = 'SELECT DISTINCT day, user_id, org_id FROM skill_user_daily';

/** Fills user_daily from skill_user_daily, keeping the rows it already holds. */
export const BACKFILL_USER_DAYS = `INSERT OR IGNORE INTO user_daily (day, user_id, org_id)
${USER_DAYS_OF_USER_DAILY}`;

/**
 * Every skill_user_daily row with what its links should be: the latest earlier day of its skill and
 * user (prev_day), and of its skill, user and org (prev_day_in_org); '' for none.
 */
export const PREV_DAYS_OF_USER_DAILY = `SELECT skill_id, user_id, day,
  lag(day, 1, '') OVER (PARTITION BY skill_id, user_id ORDER BY day) AS prev_day,
  lag(day, 1, '') OVER (PARTITION BY skill_id, user_id, org_id ORDER BY day) AS prev_day_in_org
FROM skill_user_daily`;

/** Sets every prev_day and prev_day_in_org of skill_user_daily from the rows before it, writing only the rows that differ. */
export const LINK_PREV_DAYS = `UPDATE skill_user_daily SET prev_day = linked.prev_day, prev_day_in_org = linked.prev_day_in_org
FROM (${PREV_DAYS_OF_USER_DAILY}) AS linked
WHERE linked.skill_id = skill_user_daily.skill_id AND linked.user_id = skill_user_daily.user_id AND linked.day = skill_user_daily.day
  AND (linked.prev_day IS NOT skill_user_daily.prev_day OR linked.prev_day_in_org IS NOT skill_user_daily.prev_day_in_org)`;

/**
 * Write-time aggregates for the analytics, kept by the writer in the same transaction as each
 * export, so reports read a few thousand rows instead of millions; then filled from the rows
 * written before, in the same migration transaction.
 */
const VERSION_2 = `
CREATE TABLE skill_usage_hourly (
  skill_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  hour TEXT NOT NULL,
${totalsDdl(2)},
  PRIMARY KEY (skill_id, org_id, hour)
) WITHOUT ROWID;
CREATE INDEX ix_skill_usage_hourly_hour ON skill_usage_hourly (hour);

CREATE TABLE skill_user_daily (
  skill_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  day TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
${USER_DAY_TOTAL_COLUMNS.map((column) => counted(column)).join(',\n')},
  prev_day TEXT NOT NULL DEFAULT '',
  prev_day_in_org TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (skill_id, user_id, day)
) WITHOUT ROWID;
CREATE INDEX ix_skill_user_daily_user ON skill_user_daily (user_id, day, org_id);
CREATE INDEX ix_skill_user_daily_day ON skill_user_daily (day, skill_id, org_id, prev_day, prev_day_in_org);

CREATE TABLE user_daily (
  day TEXT NOT NULL,
  user_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (day, user_id, org_id)
) WITHOUT ROWID;

CREATE TABLE skill_user_first (
  skill_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  first_day TEXT NOT NULL,
  PRIMARY KEY (skill_id, user_id)
) WITHOUT ROWID;
CREATE INDEX ix_skill_user_first_day ON skill_user_first (skill_id, first_day);

${backfillHourlyV2(totalsAt(2))};
${BACKFILL_USER_DAILY};
${LINK_PREV_DAYS};
${BACKFILL_USER_FIRST};
${BACKFILL_USER_DAYS};

-- Not an aggregate: recommend's co-usage counts per window and org, cached like leaderboard_cache.
CREATE TABLE co_usage_cache (
  time_window TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  computed_at TEXT NOT NULL,
  skill_a TEXT NOT NULL,
  skill_b TEXT NOT NULL,
  shared_users INTEGER NOT NULL,
  users_a INTEGER NOT NULL,
  users_b INTEGER NOT NULL,
  PRIMARY KEY (time_window, org_id, skill_a, skill_b)
) WITHOUT ROWID;
`;

/**
 * The closed days of skill_usage_hourly, added up per day: a report over days reads a day row for
 * each whole day of its window and hourly rows only for the hours at its ends and for the days not
 * closed yet, 24 times fewer rows for the days between. A day closes when a later one is written
 * (the writer rolls it up once, in that export's transaction); rows that arrive later for a closed
 * day are added to its row as well. `by_day_through` in toolweaver_meta names the last closed day.
 * The migration closes every day before the latest one in skill_usage_hourly.
 */
const VERSION_3 = `
CREATE TABLE skill_usage_by_day (
  skill_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  day TEXT NOT NULL,
${totalsDdl(3)},
  PRIMARY KEY (skill_id, org_id, day)
) WITHOUT ROWID;
CREATE INDEX ix_skill_usage_by_day_day ON skill_usage_by_day (day);

INSERT INTO skill_usage_by_day (skill_id, org_id, day, ${totalsAt(3).join(', ')})
SELECT skill_id, org_id, substr(hour, 1, 10), ${sums(totalsAt(3))} FROM skill_usage_hourly
WHERE hour < (SELECT substr(max(hour), 1, 10) FROM skill_usage_hourly) GROUP BY 1, 2, 3;
INSERT INTO toolweaver_meta (key, value)
SELECT 'by_day_through', date(max(hour), '-1 day') FROM skill_usage_hourly HAVING max(hour) IS NOT NULL
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
`;

/**
 * The caches that reports wrote when they read are gone: a report writes nothing, so that a
 * read-only reader (the CLI, Grafana's SQLite plugin as another user) reads the same answers. The
 * co-usage cache is dropped; leaderboard_cache, one of the guide's tables, stays, emptied of the
 * boards earlier versions kept there (nothing reads them any more); the count of aggregate
 * rebuilds, which told writers to forget the first days they remembered, goes with that memory.
 */
const VERSION_4 = `
DROP TABLE co_usage_cache;
DELETE FROM leaderboard_cache;
DELETE FROM toolweaver_meta WHERE key = 'aggregates_generation';
`;

/**
 * One of the tables keyed by skill, org and time rebuilt with the agent in its primary key, after
 * the time (every total of a skill, org and time range stays one contiguous range of the key): a
 * primary key cannot be altered in place, so the table is made anew, filled, and takes the old
 * one's name and index. Its rows get the agent '' (none).
 */
const withAgentKey = (table: string, time: 'day' | 'hour', extra = '') => {
  const columns = ['skill_id', 'org_id', time, ...totalsAt(4), ...(extra === '' ? [] : [extra])].join(', ');
  return `CREATE TABLE ${table}_v5 (
  skill_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  agent_name TEXT NOT NULL DEFAULT '',
  ${time} TEXT NOT NULL,
${totalsDdl(4)},${extra === '' ? '' : `\n${counted(extra)},`}
  PRIMARY KEY (skill_id, org_id, ${time}, agent_name)
) WITHOUT ROWID;
INSERT INTO ${table}_v5 (${columns}) SELECT ${columns} FROM ${table};
DROP TABLE ${table};
ALTER TABLE ${table}_v5 RENAME TO ${table};
CREATE INDEX ix_${table}_${time} ON ${table} (${time});`;
};

/**
 * The agent: skill_usage gets the agent of each row ('' for none) and an index for the reports of
 * one agent; the aggregates keyed by skill, org and time get it in their primary key, so every
 * total per agent is exact. The per-user aggregates have no agent. skill_call_rating keeps the
 * latest rating of each call by each user, so that a later one replaces it.
 */
const VERSION_5 = `
ALTER TABLE skill_usage ADD COLUMN agent_name TEXT NOT NULL DEFAULT '';
CREATE INDEX ix_skill_usage_agent_skill_time ON skill_usage (agent_name, skill_id, timestamp) WHERE agent_name <> '';

${withAgentKey('skill_usage_daily', 'day', 'distinct_users')}

${withAgentKey('skill_usage_hourly', 'hour')}

${withAgentKey('skill_usage_by_day', 'day')}

CREATE TABLE skill_call_rating (
  call_id TEXT NOT NULL,
  user_id TEXT NOT NULL DEFAULT '',
  skill_id TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  agent_name TEXT NOT NULL DEFAULT '',
  stars INTEGER NOT NULL,
  rated_at TEXT NOT NULL,
  counted_at TEXT NOT NULL,
  PRIMARY KEY (call_id, user_id)
) WITHOUT ROWID;
CREATE INDEX ix_skill_call_rating_counted_at ON skill_call_rating (counted_at);
`;

/** Adds the hourly rows of the days from :fromDay (included) to :toDay (excluded) up into skill_usage_by_day; those days must have no row there. */
export const ROLL_UP_DAYS = `INSERT INTO skill_usage_by_day (skill_id, org_id, day, agent_name, ${HOURLY_TOTAL_COLUMNS.join(', ')})
SELECT skill_id, org_id, substr(hour, 1, 10), agent_name, ${sums(HOURLY_TOTAL_COLUMNS)} FROM skill_usage_hourly
WHERE hour >= :fromDay AND hour < :toDay GROUP BY 1, 2, 3, 4`;

/** The migrations written out: versions 1 to {@link FIRST_VERSIONS}, then any later one with more than columns to add. */
const WRITTEN: readonly string[] = [VERSION_1, VERSION_2, VERSION_3, VERSION_4, VERSION_5];

const LAST_VERSION = Math.max(WRITTEN.length, ...Object.values(PER_CALL_COLUMNS_ADDED_IN));

/** The per-call columns of `columns` the migration of `version` adds, in registry order. */
const addedAt = (version: number, columns: readonly string[]) => columns.filter((column) => PER_CALL_COLUMNS_ADDED_IN[column] === version);

/** SQL per schema version: MIGRATIONS[i] takes user_version i to i + 1. */
export const MIGRATIONS: readonly string[] = Object.freeze(
  Array.from({ length: LAST_VERSION }, (_, i) =>
    i < FIRST_VERSIONS
      ? WRITTEN[i]!
      : `${WRITTEN[i] ?? ''}\n${addPerCallColumns(addedAt(i + 1, CALL_TOTAL_COLUMNS), addedAt(i + 1, STAR_COLUMNS))}\n`,
  ),
);

/** The user_version of a database at the current schema. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The oldest user_version with every table and column the reports read: a read-only reader (the
 * CLI), which cannot migrate, reads a file from it on. Version 4 only dropped a cache.
 */
export const READABLE_SCHEMA_VERSION = 3;

/** The user_version that gave every call an agent: the reports of one agent read a file from it on. */
export const AGENT_SCHEMA_VERSION = 5;

/** The tables a person or the CLI may export, back up or prune. */
export const TABLES = Object.freeze([
  'skill_usage',
  'skill_usage_daily',
  'skill_usage_hourly',
  'skill_usage_by_day',
  'skill_user_daily',
  'skill_user_first',
  'user_daily',
  'skill_metrics',
  'skill_call_rating',
  'leaderboard_cache',
  'recommendation_log',
  'metric_series',
  'metric_points',
] as const);

/** One of {@link TABLES}. */
export type TableName = (typeof TABLES)[number];

/** skill_id of rows that fold skills past the in-process cardinality limit. */
export const OVERFLOW_SKILL_ID = '(overflow)';

/** Formats epoch milliseconds as SQLite's UTC datetime text, 'YYYY-MM-DD HH:MM:SS'. */
export function sqliteTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}
