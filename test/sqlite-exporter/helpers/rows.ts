import type Database from 'better-sqlite3';
import { LATENCY_BOUNDARIES_MS } from '../../../src/instruments/names.js';
import { emptyRow, type UsageRow } from '../../../src/sqlite-exporter/rows.js';

/** Inserts one row, naming only the columns given; returns its rowid. */
export function insertRow(db: Database.Database, table: string, row: Record<string, unknown>): number {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((column) => `@${column}`).join(', ')})`;
  return Number(db.prepare(sql).run(row).lastInsertRowid);
}

/** Number of rows in a table. */
export function countRows(db: Database.Database, table: string): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

/** What one skill_usage row of a test records. */
export interface Activity {
  skill: string;
  user?: string | null;
  org?: string | null;
  agent?: string | null;
  /** The row's timestamp, 'YYYY-MM-DD HH:MM:SS'. */
  at: string;
  /** @default 1 */
  calls?: number;
  /** Of the calls, how many timed out. @default 0 */
  failures?: number;
  /** Latency of each call, ms. @default 30 */
  latencyMs?: number;
  ratings?: number[];
  installs?: number;
}

/** A skill_usage row as the mapping would make it from `activity`: every call in one latency bucket. */
export function activityRow(activity: Activity): UsageRow {
  const { skill, user, org, agent, at, calls = 1, failures = 0, latencyMs = 30, ratings = [], installs = 0 } = activity;
  const row = emptyRow(skill, user ?? null, org ?? null, at, at, false, agent ?? null);
  row.executions = calls;
  row.successes = calls - failures;
  row.failures = failures;
  row.errors[0] = failures;
  row.latencySumMs = calls * latencyMs;
  const bucket = LATENCY_BOUNDARIES_MS.findIndex((bound) => latencyMs <= bound);
  row.latencyBuckets[bucket < 0 ? LATENCY_BOUNDARIES_MS.length : bucket] = calls;
  row.latencyMinMs = latencyMs;
  row.latencyMaxMs = latencyMs;
  row.ratingCount = ratings.length;
  row.ratingSum = ratings.reduce((sum, stars) => sum + stars, 0);
  for (const stars of ratings) row.stars[stars - 1]! += 1;
  row.installs = installs;
  return row;
}
