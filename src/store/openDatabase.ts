import { accessSync, constants } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import type Database from 'better-sqlite3';
import { DEFAULTS } from '../config/defaults.js';
import { MEMORY } from '../config/sqlitePath.js';
import { DatabaseBusyError, DatabaseFileError } from '../core/errors.js';
import { retryWhileBusy } from './busyRetry.js';
import { migrate } from './migrate.js';
import { assertOwnedByUs, assertPrivate, createPrivateFile, fileKind } from './privateFiles.js';
import { newDatabase } from './loadSqlite.js';
import { isBusy, sqliteCode } from '../core/sqliteCode.js';
import { damagedFileError, validateDatabase } from './validateDatabase.js';
import { boundWal } from './walBound.js';

/** The most memory each connection's page cache may take, KiB (SQLite fills it only with pages it reads). */
export const PAGE_CACHE_KIB = 65_536;

/** Options of {@link openAnalyticsDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * Open an existing database for reading only, as the CLI and other readers do: nothing is created,
   * migrated or written, and the file is still validated. @default false
   */
  readonly?: boolean;
  /**
   * How long a statement waits for another connection's lock before it fails with SQLITE_BUSY, in
   * milliseconds. Short, because the exporter keeps the rows and tries again at its next export, and
   * the last write as the process ends waits this long at most. @default 250
   */
  busyTimeoutMs?: number;
}

/** The defaults of {@link OpenDatabaseOptions}. */
export const OPEN_DEFAULTS = Object.freeze({ readonly: false, busyTimeoutMs: DEFAULTS.sqlite.busyTimeoutMs });

/**
 * Opens the analytics database at `path` (absolute, or ':memory:'), ready to use.
 *
 * For writing (the default), a missing file is created with mode 0600 in a directory created with
 * mode 0700; an existing file is validated first through a read-only connection, so a file that is
 * not a SQLite database, is damaged, belongs to another application, lacks tables or columns of its
 * schema version or has a newer schema is refused with a {@link DatabaseFileError} or
 * DatabaseVersionError and is never modified. So is a file another user could read or swap: owned
 * by another user (or a link to such a file), readable or writable by users outside its owner and
 * group, or in a directory another user owns or anyone may write without the sticky bit. Then the
 * connection gets WAL with a bounded log (see walBound.ts), `synchronous = NORMAL` and foreign
 * keys, and the schema is migrated. Concurrent opens of one file by several processes wait for each other.
 *
 * Read-only opens check the file's contents, not its owner or mode: reading a file the user named,
 * readable by others or not, exposes nothing that is not exposed already.
 *
 * @throws {TypeError|RangeError} on a relative path or invalid options.
 * @throws {DatabaseFileError} when the file cannot serve (`reason` says why; the message says what to do).
 * @throws {DatabaseVersionError} when a newer toolweaver-analytics made the file.
 * @throws {DatabaseBusyError} when other processes keep it locked through every retry.
 */
export function openAnalyticsDatabase(path: string, options: OpenDatabaseOptions = {}): Database.Database {
  checkOpenArguments(path, options);
  const timeout = options.busyTimeoutMs ?? OPEN_DEFAULTS.busyTimeoutMs;
  return (options.readonly ?? OPEN_DEFAULTS.readonly) ? openForReading(path, timeout) : openForWriting(path, timeout);
}

function openForReading(path: string, timeout: number): Database.Database {
  assertRegularFile(path);
  const db = connect(path, { readonly: true, fileMustExist: true, timeout });
  return setUp(db, path, () => {
    const { userVersion } = retryWhileBusy(() => validateDatabase(db, path));
    if (userVersion === 0) throw new DatabaseFileError(path, 'empty');
  });
}

function openForWriting(path: string, timeout: number): Database.Database {
  if (path !== MEMORY) prepareFile(path, timeout);
  const db = connect(path, { timeout });
  return setUp(db, path, () => {
    enableWal(db, path);
    boundWal(db);
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
  });
}

/**
 * Creates a missing file privately, or validates an existing one through a read-only connection:
 * unlike a read-write one, it never checkpoints a WAL or rolls back a journal into the file. A file
 * another user owns or could swap is refused before it is read; one of ours that other users may
 * read, once it proves to be a database of ours (so that a file that is not one is refused as such).
 */
function prepareFile(path: string, timeout: number): void {
  assertRegularFile(path, true);
  assertOwnedByUs(path);
  if (createPrivateFile(path)) return;
  const reader = connect(path, { readonly: true, fileMustExist: true, timeout });
  try {
    retryWhileBusy(() => validateDatabase(reader, path));
  } catch (error) {
    throw explainOpenFailure(error, path);
  } finally {
    reader.close();
  }
  assertPrivate(path);
  assertWritable(path);
}

function enableWal(db: Database.Database, path: string): void {
  const mode = retryWhileBusy(() => db.pragma('journal_mode = WAL', { simple: true }));
  if (mode !== (path === MEMORY ? 'memory' : 'wal')) throw new DatabaseFileError(path, 'no-wal', `journal_mode stayed ${String(mode)}`);
}

/**
 * Takes the file out of WAL mode when this is the last connection to it, so that it stands alone on
 * disk while no application runs: a reader that may not create the -wal and -shm files (Grafana's
 * SQLite data source opened read-only, as another user) can then read it. While another connection
 * is open SQLite refuses the change and the file stays in WAL mode; the next start turns WAL on again.
 */
export function leaveWalWhenLast(db: Database.Database): void {
  if (db.memory || !db.open) return;
  try {
    db.pragma('journal_mode = DELETE');
  } catch {
    // Another connection holds the file: it stays in WAL mode, as it must.
  }
}

function assertRegularFile(path: string, mayBeMissing = false): void {
  const kind = fileKind(path);
  if (kind === 'other') throw new DatabaseFileError(path, 'not-a-database', 'it is a directory or a device, not a file');
  if (kind === 'missing' && !mayBeMissing) throw new DatabaseFileError(path, 'missing');
}

/** SQLite would quietly open a write-protected file read-only and fail at the first write; say so now. */
function assertWritable(path: string): void {
  for (const target of [path, dirname(path)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      throw new DatabaseFileError(path, 'unwritable', (error as Error).message, { cause: error });
    }
  }
}

function connect(path: string, options: Database.Options): Database.Database {
  try {
    return newDatabase(path, options);
  } catch (error) {
    throw explainOpenFailure(error, path);
  }
}

/** Runs the setup steps on a fresh connection; on failure closes it and throws an error that names the file. */
function setUp(db: Database.Database, path: string, steps: () => void): Database.Database {
  try {
    steps();
    // SQLite's default page cache is 2 MiB: a report over a window reads the pages of tens of
    // thousands of aggregate rows, and would read them from the OS again on every call.
    db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
    return db;
  } catch (error) {
    db.close();
    throw explainOpenFailure(error, path);
  }
}

/** SQLite's codes for a file it cannot create, lock or write (a failed read is another matter). */
const CANNOT_WRITE = /^SQLITE_(READONLY|CANTOPEN|FULL|PERM|AUTH)|^SQLITE_IOERR(?!_(SHORT_)?READ)/;

function explainOpenFailure(error: unknown, path: string): unknown {
  if (isBusy(error)) {
    return new DatabaseBusyError(
      path,
      `stayed locked by other connections while it was being opened (${sqliteCode(error)})`,
      'try again; if it persists, look for a process holding a long transaction on it (an sqlite3 shell left inside BEGIN, say)',
      { cause: error },
    );
  }
  const code = sqliteCode(error);
  if (code !== undefined && CANNOT_WRITE.test(code)) {
    return new DatabaseFileError(path, 'unwritable', `${code}: ${(error as Error).message}`, { cause: error });
  }
  return damagedFileError(error, path) ?? error;
}

function checkOpenArguments(path: string, options: OpenDatabaseOptions): void {
  if (typeof path !== 'string' || path.trim() === '') throw new TypeError('openAnalyticsDatabase: path must be a non-empty string');
  if (path !== MEMORY && !isAbsolute(path)) {
    throw new TypeError(
      `openAnalyticsDatabase: path must be absolute or ':memory:', got ${JSON.stringify(path)}; resolve it first, as loadConfig does`,
    );
  }
  if (typeof options !== 'object' || options === null) throw new TypeError('openAnalyticsDatabase: options must be an object');
  if ('readOnly' in options) throw new TypeError('openAnalyticsDatabase: misspelled option "readOnly" should be "readonly"');
  if (options.readonly !== undefined && typeof options.readonly !== 'boolean') {
    throw new TypeError(`openAnalyticsDatabase: option "readonly" must be true or false, got ${String(options.readonly)}`);
  }
  if (options.readonly === true && path === MEMORY)
    throw new TypeError("openAnalyticsDatabase: a ':memory:' database cannot be opened readonly");
  const timeout = options.busyTimeoutMs;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 0 && timeout <= 0x7fffffff)) {
    throw new RangeError(
      `openAnalyticsDatabase: option "busyTimeoutMs" must be a whole number of milliseconds from 0 to 2147483647, got ${String(timeout)}`,
    );
  }
}
