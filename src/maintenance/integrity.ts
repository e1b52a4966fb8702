import type Database from 'better-sqlite3';
import { MEMORY } from '../config/sqlitePath.js';
import { DatabaseBusyError } from '../core/errors.js';
import { retryWhileBusy } from '../store/busyRetry.js';
import { fileSize } from '../store/privateFiles.js';
import { TABLES, type TableName } from '../store/schema.js';
import { isBusy, isDamaged, sqliteCode } from '../core/sqliteCode.js';

/** What {@link checkIntegrity} found. */
export interface IntegrityReport {
  /** True when SQLite found nothing wrong. */
  readonly ok: boolean;
  /** SQLite's descriptions of what is wrong (at most 100), empty when ok. */
  readonly problems: readonly string[];
}

/** Sizes before and after {@link vacuum}, in bytes of disk (the database file and its WAL). */
export interface VacuumResult {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** What the CLI's status shows about a database. */
export interface DatabaseStats {
  /** The database file, or ':memory:'. */
  readonly path: string;
  /** Bytes of the database file (of its pages, for ':memory:'). */
  readonly sizeBytes: number;
  /** Bytes of its write-ahead log, not yet checkpointed into the file; 0 when there is none. */
  readonly walSizeBytes: number;
  /** Its `PRAGMA user_version`. */
  readonly schemaVersion: number;
  /** Rows per table. */
  readonly tables: Readonly<Record<TableName, number>>;
}

/**
 * Runs `PRAGMA integrity_check`: every page, b-tree, index entry and constraint. Slow on a large
 * database (it reads all of it). A file too damaged to check reports that as its problem.
 */
export function checkIntegrity(db: Database.Database): IntegrityReport {
  let problems: string[];
  try {
    problems = db.prepare('PRAGMA integrity_check').pluck().all() as string[];
  } catch (error) {
    if (!isDamaged(error)) throw error;
    return { ok: false, problems: [`${sqliteCode(error)}: ${(error as Error).message}`] };
  }
  const ok = problems.length === 1 && problems[0] === 'ok';
  return { ok, problems: ok ? [] : problems };
}

/**
 * Rebuilds the database without its free pages (`VACUUM`), then checkpoints and truncates the WAL so
 * the file really shrinks. Needs the write lock and, for a moment, free disk space about the size of the database.
 * @throws {DatabaseBusyError} when other connections keep writing through every retry.
 */
export function vacuum(db: Database.Database): VacuumResult {
  const bytesBefore = storedBytes(db);
  try {
    retryWhileBusy(() => db.exec('VACUUM'));
  } catch (error) {
    if (!isBusy(error)) throw error;
    throw new DatabaseBusyError(
      db.name,
      'could not be vacuumed: other connections kept it locked',
      'try again later, or stop the application first',
      { cause: error },
    );
  }
  if (db.name !== MEMORY) db.pragma('wal_checkpoint(TRUNCATE)');
  return { bytesBefore, bytesAfter: storedBytes(db) };
}

/** Size, schema version and row counts of the database, for a status display. Counting reads every table. */
export function databaseStats(db: Database.Database): DatabaseStats {
  const count = (table: TableName) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return {
    path: db.name,
    sizeBytes: db.name === MEMORY ? pagesBytes(db) : fileSize(db.name),
    walSizeBytes: db.name === MEMORY ? 0 : fileSize(`${db.name}-wal`),
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    tables: Object.fromEntries(TABLES.map((table) => [table, count(table)])) as Record<TableName, number>,
  };
}

function storedBytes(db: Database.Database): number {
  return db.name === MEMORY ? pagesBytes(db) : fileSize(db.name) + fileSize(`${db.name}-wal`);
}

function pagesBytes(db: Database.Database): number {
  return (db.pragma('page_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
}
