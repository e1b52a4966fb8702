import type Database from 'better-sqlite3';
import { immediateUnlessBusy } from '../store/busyRetry.js';
import type { EntryDetails } from './rankings.js';
import { prepared } from './statements.js';

/** Which board: one metric over one window label, for one org or for all (''). */
export interface BoardKey {
  readonly metric: string;
  readonly window: string;
  readonly orgKey: string;
}

/** One row of a board as leaderboard_cache keeps it. */
export interface BoardRow {
  readonly rank: number;
  readonly skillId: string;
  readonly score: number;
  readonly previousRank: number | null;
  readonly details: EntryDetails;
}

/** A board read back from leaderboard_cache. */
export interface CachedBoard {
  /** When it was computed, SQLite UTC time. */
  readonly computedAt: string;
  readonly rows: BoardRow[];
}

const READ_SQL = `SELECT rank, skill_id, score, previous_rank, details, computed_at FROM leaderboard_cache
WHERE metric_type = ? AND time_window = ? AND org_id = ? ORDER BY rank`;
const DELETE_SQL = 'DELETE FROM leaderboard_cache WHERE metric_type = ? AND time_window = ? AND org_id = ?';
const INSERT_SQL = `INSERT INTO leaderboard_cache (metric_type, time_window, org_id, rank, skill_id, score, previous_rank, details, computed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The statements of this module, for the query-plan test. */
export const CACHE_SQL: readonly string[] = Object.freeze([READ_SQL, DELETE_SQL, INSERT_SQL]);

type CacheRow = [number, string, number, number | null, string | null, string];

/** The cached rows of a board, or undefined when there are none or they cannot be read back. */
export function readBoard(db: Database.Database, key: BoardKey): CachedBoard | undefined {
  const rows = prepared<[string, string, string], CacheRow>(db, READ_SQL).raw(true).all(key.metric, key.window, key.orgKey);
  if (rows.length === 0) return undefined;
  try {
    return {
      computedAt: rows.reduce((oldest, row) => (row[5] < oldest ? row[5] : oldest), rows[0]![5]),
      rows: rows.map(([rank, skillId, score, previousRank, details]) => ({ rank, skillId, score, previousRank, details: parseDetails(details) })),
    };
  } catch {
    return undefined;
  }
}

/**
 * Replaces the cached rows of a board in one transaction. A read-only connection, or one that
 * stays locked by a writer, leaves the cache as it is: the board is still right, only not kept.
 * @returns whether the rows were written.
 */
export function writeBoard(db: Database.Database, key: BoardKey, rows: readonly BoardRow[], computedAt: string): boolean {
  if (db.readonly) return false;
  const remove = prepared<[string, string, string]>(db, DELETE_SQL);
  const insert = prepared<[string, string, string, number, string, number, number | null, string, string]>(db, INSERT_SQL);
  const replace = db.transaction(() => {
    remove.run(key.metric, key.window, key.orgKey);
    for (const row of rows) {
      insert.run(key.metric, key.window, key.orgKey, row.rank, row.skillId, row.score, row.previousRank, JSON.stringify(row.details), computedAt);
    }
  });
  return immediateUnlessBusy(replace);
}

function parseDetails(text: string | null): EntryDetails {
  const details: unknown = JSON.parse(text ?? '{}');
  if (typeof details !== 'object' || details === null || Array.isArray(details)) throw new TypeError('leaderboard_cache.details is not a JSON object');
  return details as EntryDetails;
}
