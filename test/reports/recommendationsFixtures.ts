import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { hoursWritten } from './helpers/fixtures.js';

/** 2026-03-10 12:30 UTC. A 30d window then covers the days 2026-02-08 … 2026-03-10, a 7d one 2026-03-03 … 2026-03-10. */
export const NOW = Date.parse('2026-03-10T12:30:00Z');

/** A fresh database file for each test of the enclosing describe, closed and removed after it. */
export function useRecommendationsDatabase(): () => Database.Database {
  let directory: string | undefined;
  let db: Database.Database | undefined;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'toolweaver-recommend-'));
    db = openAnalyticsDatabase(join(directory, 'analytics.db'));
  });
  afterEach(() => {
    if (db?.open === true) db.close();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    db = undefined;
    directory = undefined;
  });
  return () => {
    if (db === undefined) throw new Error('useRecommendationsDatabase: no test is running');
    return db;
  };
}

/** One user's activity with one skill on one day, as the writer's aggregates record it. */
export interface Use {
  readonly user: string;
  readonly skill: string;
  /** 'YYYY-MM-DD' */
  readonly day: string;
  /** '' for none. @default '' */
  readonly org?: string;
  /** @default 5 */
  readonly calls?: number;
  /** @default 0 */
  readonly installs?: number;
}

/**
 * Records a use the way SqliteWriter keeps its aggregates: added to skill_user_daily (the latest
 * org wins), the first day kept in skill_user_first, and the calls added to skill_usage_hourly at
 * noon of the day.
 */
export function recordUse(db: Database.Database, use: Use): void {
  const org = use.org ?? '';
  const calls = use.calls ?? 5;
  statements(db).daily.run(use.skill, use.user, use.day, org, calls, calls, use.installs ?? 0);
  statements(db).first.run(use.skill, use.user, org, use.day);
  recordCalls(db, use.skill, org, `${use.day} 12:00:00`, calls);
}

/** Adds calls without a user to skill_usage_hourly. */
export function recordCalls(db: Database.Database, skill: string, org: string, hour: string, calls: number): void {
  statements(db).hourly.run(skill, org, hour, calls, calls);
  hoursWritten(db, [{ skill, org, hour, totals: { execution_count: calls, success_count: calls } }]);
}

const cache = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

function statements(db: Database.Database): ReturnType<typeof prepare> {
  let prepared = cache.get(db);
  if (prepared === undefined) {
    prepared = prepare(db);
    cache.set(db, prepared);
  }
  return prepared;
}

function prepare(db: Database.Database) {
  return {
    daily: db.prepare(
      `INSERT INTO skill_user_daily (skill_id, user_id, day, org_id, execution_count, success_count, install_count) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET org_id = excluded.org_id, execution_count = execution_count + excluded.execution_count,
         success_count = success_count + excluded.success_count, install_count = install_count + excluded.install_count`,
    ),
    first: db.prepare(
      `INSERT INTO skill_user_first (skill_id, user_id, org_id, first_day) VALUES (?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET first_day = min(first_day, excluded.first_day)`,
    ),
    hourly: db.prepare(
      `INSERT INTO skill_usage_hourly (skill_id, org_id, hour, execution_count, success_count) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT DO UPDATE SET execution_count = execution_count + excluded.execution_count, success_count = success_count + excluded.success_count`,
    ),
  };
}

/** Records that `user` used each of `skills` on `day`. */
export function recordBasket(db: Database.Database, user: string, org: string, day: string, skills: readonly string[]): void {
  for (const skill of skills) recordUse(db, { user, org, day, skill });
}

/** recommendation_log, oldest first. */
export function logRows(db: Database.Database): Record<string, unknown>[] {
  return db.prepare('SELECT * FROM recommendation_log ORDER BY id').all() as Record<string, unknown>[];
}
