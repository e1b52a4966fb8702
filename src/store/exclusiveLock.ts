import type Database from 'better-sqlite3';
import { newDatabase } from './loadSqlite.js';

/** How long {@link lockExclusively} waits for other connections to let go. */
export const EXCLUSIVE_LOCK_TIMEOUT_MS = 200;

/**
 * Opens `path` and takes SQLite's exclusive lock, held until the returned connection is closed, or
 * throws SQLITE_BUSY when another connection has the file open. In WAL mode a plain
 * `BEGIN EXCLUSIVE` succeeds beside an idle connection of another process; exclusive locking mode
 * does not, so this finds a running exporter (or a reader) even between its writes.
 */
export function lockExclusively(path: string): Database.Database {
  const db = newDatabase(path, { fileMustExist: true, timeout: EXCLUSIVE_LOCK_TIMEOUT_MS });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
