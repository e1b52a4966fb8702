import { isAbsolute } from 'node:path';
import type Database from 'better-sqlite3';
import { DatabaseBusyError, DatabaseFileError } from '../core/errors.js';
import { claimDestination, copyDatabase, removeDatabaseFiles, type BackupProgress, type BackupResult } from './copyDatabase.js';
import { checkDatabaseDestination, databaseFiles, notARegularFile, sameFileAs } from './destination.js';
import { checkIntegrity } from './integrity.js';
import { openAnalyticsDatabase } from '../store/openDatabase.js';
import { setTargetAside, STOP_APPLICATION_FIRST } from './restoreTarget.js';
import { isBusy } from '../core/sqliteCode.js';

export type { BackupProgress, BackupResult } from './copyDatabase.js';

/** Options of {@link backupDatabase}. */
export interface BackupOptions {
  /** Called before the pages are copied and once they all are (remainingPages 0). @default undefined */
  onProgress?: (progress: BackupProgress) => void;
  /**
   * Replace an existing destination file (with its -wal and -shm files); only ever a regular file,
   * never a link or a device. @default false
   */
  overwrite?: boolean;
}

/** Options of {@link restoreDatabase}. */
export interface RestoreOptions {
  /**
   * Restore even while other processes have the target open. SQLite keeps the file consistent, but a
   * running exporter goes on writing on top of the restored rows: restart it afterwards. @default false
   */
  force?: boolean;
}

const BAD_BACKUP = 'choose another backup file; nothing was restored and the target was not changed';

/**
 * Copies a database to `destinationPath` with SQLite's online backup API: a consistent snapshot,
 * taken while the exporter goes on writing (in WAL mode the copy blocks no writer, and it is taken
 * in one step, which a concurrent write cannot restart). The new file has mode 0600.
 * `source` is an open connection, or the path of an analytics database (validated, opened read-only).
 * @throws {DatabaseFileError} before anything is written: `exists` when the destination exists and
 * `overwrite` is not set; `same-file` when it is the source or its -wal, -shm or -journal, by any path
 * (a symlinked directory, a link, a hard link); `symlink`, `not-a-file` or `no-directory` when it is
 * a link, not a regular file, or in a directory that does not exist.
 */
export async function backupDatabase(
  source: string | Database.Database,
  destinationPath: string,
  options: BackupOptions = {},
): Promise<BackupResult> {
  checkPath(destinationPath, 'backupDatabase', 'destinationPath');
  const protect = databaseFiles(typeof source === 'string' ? source : source.name);
  checkDatabaseDestination(destinationPath, { overwrite: options.overwrite ?? false, protect });
  const db = typeof source === 'string' ? openAnalyticsDatabase(source, { readonly: true }) : source;
  try {
    claimDestination(destinationPath, options.overwrite ?? false);
    try {
      return await copyDatabase(db, destinationPath, options.onProgress);
    } catch (error) {
      removeDatabaseFiles(destinationPath);
      throw error;
    }
  } finally {
    if (typeof source === 'string') db.close();
  }
}

/**
 * Replaces the database at `targetPath` with the backup at `backupPath`, copied in with SQLite's
 * backup API (a plain file copy would ignore a write-ahead log). The backup is checked first: an
 * analytics database, intact (`PRAGMA integrity_check`), with a schema this release knows. The
 * current target, if any, is kept as `<target>.before-restore-<time>`: copied when it is a sound
 * SQLite database, moved aside when it is damaged or not SQLite at all. On failure the target is left as it was.
 * @throws {DatabaseBusyError} when another process has the target open (stop the application first), unless `force`.
 * @throws {DatabaseFileError} or DatabaseVersionError when the backup cannot be restored: among
 * others `same-file` when the backup is the target (or its -wal, -shm, -journal) by any path, and
 * `not-a-file` when the backup or the target is a device, a FIFO or a directory.
 */
export async function restoreDatabase(
  backupPath: string,
  targetPath: string,
  options: RestoreOptions = {},
): Promise<{ safetyCopy: string | undefined }> {
  checkPath(backupPath, 'restoreDatabase', 'backupPath');
  checkPath(targetPath, 'restoreDatabase', 'targetPath');
  checkBackupFile(backupPath, targetPath);
  const backup = openBackup(backupPath);
  try {
    const aside = await setTargetAside(targetPath, options.force ?? false);
    try {
      await copyDatabase(backup, targetPath);
    } catch (error) {
      aside.undo();
      if (!isBusy(error)) throw error;
      throw new DatabaseBusyError(
        targetPath,
        'was locked by another process during the restore',
        `nothing was restored; ${STOP_APPLICATION_FIRST}`,
        { cause: error },
      );
    }
    return { safetyCopy: aside.safetyCopy };
  } finally {
    backup.close();
  }
}

/** Refuses a backup that is the target by another path, or that SQLite could not read as a file (a FIFO would block the open). */
function checkBackupFile(backupPath: string, targetPath: string): void {
  const same = sameFileAs(backupPath, databaseFiles(targetPath));
  if (same !== undefined)
    throw new DatabaseFileError(backupPath, 'same-file', `the same file as ${same}, the restore target`, { fix: BAD_BACKUP });
  const special = notARegularFile(backupPath);
  if (special !== undefined) throw new DatabaseFileError(backupPath, 'not-a-file', special, { fix: BAD_BACKUP });
}

/** Opens the backup read-only once it proves to be a sound analytics database. */
function openBackup(path: string): Database.Database {
  let backup: Database.Database;
  try {
    backup = openAnalyticsDatabase(path, { readonly: true });
  } catch (error) {
    if (error instanceof DatabaseFileError)
      throw new DatabaseFileError(path, error.reason, error.detail, { fix: BAD_BACKUP, cause: error });
    throw error;
  }
  const { ok, problems } = checkIntegrity(backup);
  if (!ok) {
    backup.close();
    throw new DatabaseFileError(path, 'corrupt', `PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`, { fix: BAD_BACKUP });
  }
  return backup;
}

function checkPath(path: string, caller: string, name: string): void {
  if (typeof path !== 'string' || !isAbsolute(path))
    throw new TypeError(`${caller}: ${name} must be an absolute file path, got ${JSON.stringify(path)}`);
}
