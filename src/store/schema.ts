/**
 * The database schema: the guide's four tables with the columns the guide names (and what
 * percentiles, error breakdowns and rollups need), a daily rollup that outlives retention, and a
 * generic store for every other OpenTelemetry metric. Times are UTC text 'YYYY-MM-DD HH:MM:SS',
 * so the guide's `timestamp < date('now', '-365 days')` compares as intended.
 * Migrations are applied in order by `PRAGMA user_version`.
 */

/** `PRAGMA application_id` of our databases ('TWA1'): tells ours from a foreign SQLite file. */
export const APPLICATION_ID = 0x54574131;

/** Column suffixes of the latency buckets, in LATENCY_BOUNDARIES_MS order, then +Inf. */
export const LATENCY_BUCKET_COLUMNS: readonly string[] = Object.freeze([
  'lat_le_1',
  'lat_le_2_5',
  'lat_le_5',
  'lat_le_10',
  'lat_le_25',
  'lat_le_50',
  'lat_le_100',
  'lat_le_250',
  'lat_le_500',
  'lat_le_1000',
  'lat_le_2500',
  'lat_le_5000',
  'lat_le_10000',
  'lat_le_30000',
  'lat_le_60000',
  'lat_le_inf',
]);

/** Failure count columns, in ERROR_TYPES order. */
export const ERROR_COLUMNS: readonly string[] = Object.freeze([
  'timeout_count',
  'cancelled_count',
  'validation_count',
  'auth_count',
  'rate_limited_count',
  'upstream_count',
  'internal_count',
]);

const counts = (columns: readonly string[]) => columns.map((column) => `  ${column} INTEGER NOT NULL DEFAULT 0`).join(',\n');

/** Columns skill_usage and skill_usage_daily share: the additive totals of calls. */
const TOTALS = `  execution_count INTEGER NOT NULL DEFAULT 0,
  success_count INTEGER NOT NULL DEFAULT 0,
  failure_count INTEGER NOT NULL DEFAULT 0,
  latency_sum_ms REAL NOT NULL DEFAULT 0,
${counts(LATENCY_BUCKET_COLUMNS)},
${counts(ERROR_COLUMNS)},
  rating_count INTEGER NOT NULL DEFAULT 0,
  rating_sum INTEGER NOT NULL DEFAULT 0,
  install_count INTEGER NOT NULL DEFAULT 0`;

const VERSION_1 = `
CREATE TABLE skill_usage (
  id INTEGER PRIMARY KEY,
  skill_id TEXT NOT NULL,
  user_id TEXT,
  org_id TEXT,
  timestamp TEXT NOT NULL,
  interval_start TEXT NOT NULL,
${TOTALS},
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
${TOTALS},
  distinct_users INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (skill_id, org_id, day)
) WITHOUT ROWID;
CREATE INDEX ix_skill_usage_daily_day ON skill_usage_daily (day);

CREATE TABLE skill_metrics (
  skill_id TEXT PRIMARY KEY,
  rating_1_5_stars REAL,
  rating_count INTEGER NOT NULL DEFAULT 0,
  rating_sum INTEGER NOT NULL DEFAULT 0,
  stars_1 INTEGER NOT NULL DEFAULT 0,
  stars_2 INTEGER NOT NULL DEFAULT 0,
  stars_3 INTEGER NOT NULL DEFAULT 0,
  stars_4 INTEGER NOT NULL DEFAULT 0,
  stars_5 INTEGER NOT NULL DEFAULT 0,
  install_count INTEGER NOT NULL DEFAULT 0,
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

/** The additive totals of skill_usage_hourly, as in skill_usage and skill_usage_daily, in schema order. */
export const HOURLY_TOTAL_COLUMNS: readonly string[] = Object.freeze([
  'execution_count',
  'success_count',
  'failure_count',
  'latency_sum_ms',
  ...LATENCY_BUCKET_COLUMNS,
  ...ERROR_COLUMNS,
  'rating_count',
  'rating_sum',
  'install_count',
]);

/** The additive totals of skill_user_daily, in schema order. */
export const USER_DAY_TOTAL_COLUMNS: readonly string[] = Object.freeze([
  'execution_count',
  'success_count',
  'failure_count',
  'rating_count',
  'rating_sum',
  'install_count',
]);

/** SQL for the UTC hour, 'YYYY-MM-DD HH:00:00', of a skill_usage row's `timestamp`. */
export const HOUR_OF_TIMESTAMP = "substr(timestamp, 1, 13) || ':00:00'";

/** SQL for the UTC day, 'YYYY-MM-DD', of a skill_usage row's `timestamp`. */
export const DAY_OF_TIMESTAMP = 'substr(timestamp, 1, 10)';

const sums = (columns: readonly string[]) => columns.map((column) => `sum(${column}) AS ${column}`).join(', ');

// The GROUP BYs below read every row; NOT INDEXED keeps SQLite from reading them through an index
// in skill order, which fetches each row from the table at random and takes half as long again.

/** skill_usage added up per skill, org ('' for none) and hour: the rows skill_usage_hourly should hold. */
export const HOURLY_FROM_USAGE = `SELECT skill_id, coalesce(org_id, '') AS org_id, ${HOUR_OF_TIMESTAMP} AS hour, ${sums(HOURLY_TOTAL_COLUMNS)}
FROM skill_usage NOT INDEXED GROUP BY 1, 2, 3`;

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

/** Fills skill_usage_hourly from skill_usage; the table must hold none of its hours. */
export const BACKFILL_HOURLY = `INSERT INTO skill_usage_hourly (skill_id, org_id, hour, ${HOURLY_TOTAL_COLUMNS.join(', ')})
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
${TOTALS},
  PRIMARY KEY (skill_id, org_id, hour)
) WITHOUT ROWID;
CREATE INDEX ix_skill_usage_hourly_hour ON skill_usage_hourly (hour);

CREATE TABLE skill_user_daily (
  skill_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  day TEXT NOT NULL,
  org_id TEXT NOT NULL DEFAULT '',
  execution_count INTEGER NOT NULL DEFAULT 0,
  success_count INTEGER NOT NULL DEFAULT 0,
  failure_count INTEGER NOT NULL DEFAULT 0,
  rating_count INTEGER NOT NULL DEFAULT 0,
  rating_sum INTEGER NOT NULL DEFAULT 0,
  install_count INTEGER NOT NULL DEFAULT 0,
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

${BACKFILL_HOURLY};
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
${TOTALS},
  PRIMARY KEY (skill_id, org_id, day)
) WITHOUT ROWID;
CREATE INDEX ix_skill_usage_by_day_day ON skill_usage_by_day (day);

INSERT INTO skill_usage_by_day (skill_id, org_id, day, ${HOURLY_TOTAL_COLUMNS.join(', ')})
SELECT skill_id, org_id, substr(hour, 1, 10), ${sums(HOURLY_TOTAL_COLUMNS)} FROM skill_usage_hourly
WHERE hour < (SELECT substr(max(hour), 1, 10) FROM skill_usage_hourly) GROUP BY 1, 2, 3;
INSERT INTO toolweaver_meta (key, value)
SELECT 'by_day_through', date(max(hour), '-1 day') FROM skill_usage_hourly HAVING max(hour) IS NOT NULL
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
`;

/**
 * What only beat benchmarks goes: the caches that reports wrote when they read (a report writes
 * nothing, so that a read-only reader, the CLI or Grafana's SQLite plugin as another user, gets the
 * same answers), and skill_usage_by_day, whose closed days the reports read instead of 24 hourly
 * rows each (every report stays under 100 ms on a million raw rows from skill_usage_hourly alone).
 * The co-usage cache and the day table are dropped, with the meta keys that served them:
 * by_day_through, and the count of aggregate rebuilds that told writers to forget the first days
 * they remembered. leaderboard_cache, one of the guide's tables, stays, emptied of the boards
 * earlier versions kept there.
 */
const VERSION_4 = `
DROP TABLE co_usage_cache;
DROP TABLE skill_usage_by_day;
DELETE FROM leaderboard_cache;
DELETE FROM toolweaver_meta WHERE key IN ('aggregates_generation', 'by_day_through');
`;

/** SQL per schema version: MIGRATIONS[i] takes user_version i to i + 1. */
export const MIGRATIONS: readonly string[] = Object.freeze([VERSION_1, VERSION_2, VERSION_3, VERSION_4]);

/** The user_version of a database at the current schema. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * The oldest user_version with every table and column the reports read: a read-only reader (the
 * CLI), which cannot migrate, reads a file from it on. Version 3 added skill_usage_by_day, which the
 * reports no longer read, and version 4 only dropped tables.
 */
export const READABLE_SCHEMA_VERSION = 2;

/** The tables a person or the CLI may export, back up or prune. */
export const TABLES = Object.freeze([
  'skill_usage',
  'skill_usage_daily',
  'skill_usage_hourly',
  'skill_user_daily',
  'skill_user_first',
  'user_daily',
  'skill_metrics',
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
