import type Database from 'better-sqlite3';
import { DatabaseFileError } from '../core/errors.js';
import { leaveWalWhenLast, openAnalyticsDatabase } from '../store/openDatabase.js';
import { fileKind } from '../store/privateFiles.js';
import { READABLE_SCHEMA_VERSION } from '../store/schema.js';
import type { CliContext } from './context.js';
import { CliFailure, missingDatabase } from './cliErrors.js';

/** How a command opens the database. */
export interface OpenMode {
  /**
   * Open for writing: for recommend, which logs in recommendation_log, and for prune. Every other
   * command only reads, through a read-only connection that changes nothing in the file. @default false
   */
  readonly write?: boolean;
  /** The command reads the write-time aggregates (schema version 3 or later). @default false */
  readonly needsAggregates?: boolean;
}

/**
 * Opens the database at `path` (by default that of `--db` or the configuration), never creating one: a missing file is a
 * {@link CliFailure} that says how to make one. Reading commands open it read-only.
 */
export function openDatabase(context: CliContext, mode: OpenMode = {}, path: string = context.databasePath()): Database.Database {
  if (fileKind(path) === 'missing') throw new CliFailure(missingDatabase(path));
  const started = performance.now();
  let db: Database.Database;
  try {
    db = openAnalyticsDatabase(path, { readonly: mode.write !== true });
  } catch (error) {
    if (error instanceof DatabaseFileError && (error.reason === 'missing' || error.reason === 'empty'))
      throw new CliFailure(missingDatabase(path, error.reason));
    throw error;
  }
  context.debug(`opened ${path} ${mode.write === true ? 'read-write' : 'read-only'} in ${(performance.now() - started).toFixed(1)} ms`);
  if (mode.needsAggregates === true) assertCurrentSchema(db, path);
  return db;
}

/**
 * Runs `work` on the database and closes it afterwards, whatever happens. A writing command that
 * was the only connection takes the file out of WAL mode again as it closes, as a stopped
 * application leaves it, so a read-only reader that may not create -wal and -shm files (Grafana's
 * SQLite plugin as another user) still reads it.
 */
export async function withDatabase<T>(context: CliContext, mode: OpenMode, work: (db: Database.Database) => T | Promise<T>): Promise<T> {
  const db = openDatabase(context, mode);
  try {
    return await work(db);
  } finally {
    if (mode.write === true) leaveWalWhenLast(db);
    db.close();
  }
}

/** A read-only connection cannot migrate: an older file lacks the aggregates the reports read. */
function assertCurrentSchema(db: Database.Database, path: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= READABLE_SCHEMA_VERSION) return;
  db.close();
  throw new CliFailure(
    `${path} has schema version ${version}, from an older toolweaver-analytics, without the aggregates the reports read: ` +
      'start your application with this version of toolweaver-analytics once: it upgrades the file',
  );
}
