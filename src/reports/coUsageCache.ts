import type Database from 'better-sqlite3';
import { immediateUnlessBusy } from '../store/busyRetry.js';
import type { CoUsagePair } from './coUsage.js';
import { prepared } from './statements.js';

/** Which matrix: one window label, for one org or for all (''). */
export interface CoUsageKey {
  readonly window: string;
  readonly orgKey: string;
}

/** A matrix read back from co_usage_cache. */
export interface CachedCoUsage {
  /** When it was computed, SQLite UTC time. */
  readonly computedAt: string;
  readonly pairs: CoUsagePair[];
}

const COMPUTED_AT_SQL = 'SELECT computed_at FROM co_usage_cache WHERE time_window = ? AND org_id = ? LIMIT 1';
const COLUMNS = 'skill_a AS skillA, skill_b AS skillB, shared_users AS sharedUsers, users_a AS usersA, users_b AS usersB';
const READ_ALL_SQL = `SELECT ${COLUMNS} FROM co_usage_cache WHERE time_window = ? AND org_id = ? ORDER BY skill_a, skill_b`;
const READ_SOME_SQL = `SELECT ${COLUMNS} FROM co_usage_cache WHERE time_window = ? AND org_id = ? AND skill_a IN (SELECT value FROM json_each(?))`;
const DELETE_SQL = 'DELETE FROM co_usage_cache WHERE time_window = ? AND org_id = ?';
const INSERT_SQL = `INSERT INTO co_usage_cache (time_window, org_id, computed_at, skill_a, skill_b, shared_users, users_a, users_b)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;

/** The statements of this module, for the query-plan test. */
export const CO_USAGE_CACHE_SQL: readonly string[] = Object.freeze([COMPUTED_AT_SQL, READ_ALL_SQL, READ_SOME_SQL, DELETE_SQL, INSERT_SQL]);

/**
 * The cached matrix, its rows limited to those of `skills` (as skill A) when given; undefined when
 * none is cached or `usable(computedAt)` says no, and then no row is read. Read in one transaction,
 * so the time and the rows are of the same write.
 */
export function readCoUsage(db: Database.Database, key: CoUsageKey, usable: (computedAt: string) => boolean, skills?: ReadonlySet<string>): CachedCoUsage | undefined {
  const read = db.transaction((): CachedCoUsage | undefined => {
    const computedAt = prepared<[string, string], string>(db, COMPUTED_AT_SQL).pluck().get(key.window, key.orgKey);
    if (computedAt === undefined || !usable(computedAt)) return undefined;
    const pairs =
      skills === undefined
        ? prepared<[string, string], CoUsagePair>(db, READ_ALL_SQL).all(key.window, key.orgKey)
        : prepared<[string, string, string], CoUsagePair>(db, READ_SOME_SQL).all(key.window, key.orgKey, JSON.stringify([...skills]));
    return { computedAt, pairs };
  });
  return read.deferred();
}

/**
 * Replaces the cached matrix of `key` in one transaction. A read-only connection, or one that stays
 * locked by a writer, leaves the cache as it is: the matrix is still right, only not kept.
 * @returns whether the rows were written.
 */
export function writeCoUsage(db: Database.Database, key: CoUsageKey, pairs: readonly CoUsagePair[], computedAt: string): boolean {
  if (db.readonly) return false;
  const remove = prepared<[string, string]>(db, DELETE_SQL);
  const insert = prepared<[string, string, string, string, string, number, number, number]>(db, INSERT_SQL);
  const replace = db.transaction(() => {
    remove.run(key.window, key.orgKey);
    for (const pair of pairs) {
      insert.run(key.window, key.orgKey, computedAt, pair.skillA, pair.skillB, pair.sharedUsers, pair.usersA, pair.usersB);
    }
  });
  return immediateUnlessBusy(replace);
}
