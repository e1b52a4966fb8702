import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ERROR_TYPES, type ErrorType } from '../../../src/instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS } from '../../../src/instruments/names.js';
import { openAnalyticsDatabase } from '../../../src/store/openDatabase.js';
import { DayTotalsWriter } from '../../../src/sqlite-exporter/DayTotalsWriter.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../../../src/instruments/perCallColumns.js';
import { HOURLY_TOTAL_COLUMNS, LINK_PREV_DAYS } from '../../../src/store/schema.js';

/** 2026-03-10 12:30 UTC: a '7d' window is 2026-03-03 13:00 to 2026-03-10 13:00, the previous one starts 2026-02-24 13:00. */
export const NOW = Date.parse('2026-03-10T12:30:00Z');

/** A fresh database file in its own temporary directory for each test; the function returns the open one. */
export function useAnalyticsDatabase(): () => Database.Database {
  let directory: string | undefined;
  let db: Database.Database | undefined;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'toolweaver-analytics-'));
    db = openAnalyticsDatabase(join(directory, 'analytics.db'));
  });
  afterEach(() => {
    if (db?.open) db.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    db = undefined;
    directory = undefined;
  });
  return () => {
    if (db === undefined) throw new Error('useAnalyticsDatabase: no test is running');
    return db;
  };
}

/** Calls per latency bucket, keyed by the bucket's upper bound in ms ('inf' for +Inf). */
export type Latencies = Partial<Record<number | 'inf', number>>;

/** One skill_usage_hourly row; unnamed counts are 0, successes default to calls - failures. */
export interface HourlyRow {
  skill: string;
  org?: string;
  /** The agent of the calls. @default '' (none) */
  agent?: string;
  /** 'YYYY-MM-DD HH:00:00' */
  hour: string;
  calls?: number;
  successes?: number;
  failures?: number;
  latency?: Latencies;
  /** latency_sum_ms: the timed calls' latencies added up. @default 0 */
  latencySumMs?: number;
  errors?: Partial<Record<ErrorType, number>>;
  ratingCount?: number;
  ratingSum?: number;
  installs?: number;
}

/** Inserts skill_usage_hourly rows. */
export function insertHourly(db: Database.Database, ...rows: HourlyRow[]): void {
  for (const row of rows) {
    const failures = row.failures ?? 0;
    const calls = row.calls ?? 0;
    const totals = {
      execution_count: calls,
      success_count: row.successes ?? calls - failures,
      failure_count: failures,
      latency_sum_ms: row.latencySumMs ?? 0,
      ...bucketColumns(row.latency ?? {}),
      ...errorColumns(row.errors ?? {}),
      rating_count: row.ratingCount ?? 0,
      rating_sum: row.ratingSum ?? 0,
      install_count: row.installs ?? 0,
    };
    const agent = row.agent ?? '';
    insert(db, 'skill_usage_hourly', { skill_id: row.skill, org_id: row.org ?? '', hour: row.hour, agent_name: agent, ...totals });
    hoursWritten(db, [{ skill: row.skill, org: row.org ?? '', hour: row.hour, agent, totals }]);
  }
}

/**
 * What the writer does after an export's hourly rows, for rows a test put into skill_usage_hourly
 * itself: adds them to closed days, and closes the days before the latest one (DayTotalsWriter).
 */
export function hoursWritten(
  db: Database.Database,
  rows: readonly { skill: string; org: string; hour: string; agent?: string; totals: Record<string, number> }[],
): void {
  new DayTotalsWriter(db).write(
    rows.map(({ skill, org, hour, agent, totals }) => ({
      skillId: skill,
      orgId: org,
      hour,
      agentName: agent ?? '',
      totals: HOURLY_TOTAL_COLUMNS.map((column) => totals[column] ?? 0),
    })),
  );
}

/** Deletes a skill's hourly rows and its day rows, which add them up. */
export function deleteHourly(db: Database.Database, skill: string): void {
  db.prepare('DELETE FROM skill_usage_hourly WHERE skill_id = ?').run(skill);
  db.prepare('DELETE FROM skill_usage_by_day WHERE skill_id = ?').run(skill);
}

/** One skill_user_daily row. */
export interface UserDayRow {
  skill: string;
  user: string;
  day: string;
  org?: string;
  calls?: number;
}

/** Inserts skill_user_daily rows (calls default to 1, all successful), linked and listed in user_daily as the writer does. */
export function insertUserDays(db: Database.Database, ...rows: UserDayRow[]): void {
  for (const row of rows) {
    const calls = row.calls ?? 1;
    insert(db, 'skill_user_daily', {
      skill_id: row.skill,
      user_id: row.user,
      day: row.day,
      org_id: row.org ?? '',
      execution_count: calls,
      success_count: calls,
    });
    db.prepare('INSERT OR IGNORE INTO user_daily (day, user_id, org_id) VALUES (?, ?, ?)').run(row.day, row.user, row.org ?? '');
  }
  db.exec(LINK_PREV_DAYS);
}

/** Inserts skill_user_first rows. */
export function insertUserFirsts(db: Database.Database, ...rows: { skill: string; user: string; firstDay: string; org?: string }[]): void {
  for (const row of rows)
    insert(db, 'skill_user_first', { skill_id: row.skill, user_id: row.user, org_id: row.org ?? '', first_day: row.firstDay });
}

/**
 * Inserts a raw skill_usage row with only what the latency report reads of it (the aggregates are
 * the test's to insert): skill, org, time, calls and the fastest and slowest call.
 */
export function insertUsage(
  db: Database.Database,
  row: { skill: string; org?: string; agent?: string; timestamp: string; calls: number; minMs: number | null; maxMs: number | null },
): void {
  insert(db, 'skill_usage', {
    skill_id: row.skill,
    org_id: row.org ?? null,
    agent_name: row.agent ?? '',
    timestamp: row.timestamp,
    interval_start: row.timestamp,
    execution_count: row.calls,
    success_count: row.calls,
    latency_min_ms: row.minMs,
    latency_max_ms: row.maxMs,
  });
}

/** Inserts a skill_metrics row. */
export function insertSkillMetrics(
  db: Database.Database,
  row: { skill: string; ratingCount?: number; ratingSum?: number; firstSeen: string; lastUpdated: string },
): void {
  const ratingCount = row.ratingCount ?? 0;
  const ratingSum = row.ratingSum ?? 0;
  insert(db, 'skill_metrics', {
    skill_id: row.skill,
    rating_1_5_stars: ratingCount > 0 ? ratingSum / ratingCount : null,
    rating_count: ratingCount,
    rating_sum: ratingSum,
    first_seen: row.firstSeen,
    last_updated: row.lastUpdated,
  });
}

/** Empties every table the reports read, for property tests that reuse one file. */
export function clearAggregates(db: Database.Database): void {
  for (const table of [
    'skill_usage_hourly',
    'skill_usage_by_day',
    'skill_user_daily',
    'user_daily',
    'skill_user_first',
    'skill_metrics',
    'leaderboard_cache',
  ])
    db.exec(`DELETE FROM ${table}`);
  db.exec("DELETE FROM toolweaver_meta WHERE key = 'by_day_through'");
}

function bucketColumns(latency: Latencies): Record<string, number> {
  const columns: Record<string, number> = {};
  for (const [bound, count] of Object.entries(latency)) {
    const index = bound === 'inf' ? LATENCY_BOUNDARIES_MS.length : LATENCY_BOUNDARIES_MS.indexOf(Number(bound));
    if (index < 0) throw new Error(`no latency bucket with upper bound ${bound}`);
    columns[LATENCY_BUCKET_COLUMNS[index]!] = count ?? 0;
  }
  return columns;
}

function errorColumns(errors: Partial<Record<ErrorType, number>>): Record<string, number> {
  return Object.fromEntries(ERROR_TYPES.map((type, i) => [ERROR_COLUMNS[i]!, errors[type] ?? 0]));
}

function insert(db: Database.Database, table: string, row: Record<string, unknown>): void {
  const columns = Object.keys(row);
  db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`).run(row);
}

/** `n` hours starting at `first` ('YYYY-MM-DD HH:00:00'), one apart. */
export function hours(first: string, n: number): string[] {
  const start = Date.parse(`${first.replace(' ', 'T')}Z`);
  return Array.from({ length: n }, (_, i) => new Date(start + i * 3_600_000).toISOString().slice(0, 19).replace('T', ' '));
}
