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

/** DDL per schema version: MIGRATIONS[i] takes user_version i to i + 1. */
export const MIGRATIONS: readonly string[] = Object.freeze([VERSION_1]);

/** The user_version of a database at the current schema. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** The tables a person or the CLI may export, back up or prune. */
export const TABLES = Object.freeze([
  'skill_usage',
  'skill_usage_daily',
  'skill_metrics',
  'leaderboard_cache',
  'recommendation_log',
  'metric_series',
  'metric_points',
] as const);

/** One of {@link TABLES}. */
export type TableName = (typeof TABLES)[number];

/** Formats epoch milliseconds as SQLite's UTC datetime text, 'YYYY-MM-DD HH:MM:SS'. */
export function sqliteTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ');
}
