import { renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { DatabaseBusyError, DatabaseFileError } from '../core/errors.js';
import { claimDestination, copyDatabase, removeDatabaseFiles } from './copyDatabase.js';
import { linkDetail, notARegularFile } from './destination.js';
import { EXCLUSIVE_LOCK_TIMEOUT_MS, lockExclusively } from '../store/exclusiveLock.js';
import { createPrivateFile, fileKind } from '../store/privateFiles.js';
import { isBusy, isDamaged } from '../core/sqliteCode.js';
import { assertIntact, readDatabaseHeader } from '../store/validateDatabase.js';

/** The target of a restore, made ready to be overwritten. */
export interface SetAside {
  /** Where its former contents are kept; undefined when there were none. */
  readonly safetyCopy: string | undefined;
  /** Puts the target back as it was, after a failed restore. */
  undo(): void;
}

/** The advice for a restore that other processes are in the way of. */
export const STOP_APPLICATION_FIRST =
  'stop the application that writes it (and readers such as sqlite3 or Grafana) first, then restore again';

/**
 * Keeps what is at `target` as `<target>.before-restore-<time>`: a sound SQLite database is copied
 * with the backup API (the restore then overwrites it in place), anything else is moved aside and an
 * empty file takes its place. A missing target is created empty, with mode 0600.
 * @throws {DatabaseBusyError} when another process has the target open, unless `force`.
 * @throws {DatabaseFileError} `not-a-file` for a device, FIFO or directory; `symlink` for a link that leads nowhere.
 */
export async function setTargetAside(target: string, force: boolean): Promise<SetAside> {
  const special = notARegularFile(target);
  if (special !== undefined) throw new DatabaseFileError(target, 'not-a-file', special, { fix: 'choose a file path as the target' });
  const kind = fileKind(target);
  if (kind === 'missing') {
    // A new file would be made wherever the link leads: name that place instead.
    const link = linkDetail(target);
    if (link !== undefined)
      throw new DatabaseFileError(target, 'symlink', link, { fix: 'name the file it leads to as the target, or remove the link' });
    createPrivateFile(target);
    return { safetyCopy: undefined, undo: () => removeDatabaseFiles(target) };
  }
  const safetyCopy = `${target}.before-restore-${new Date().toISOString().replace(/:/g, '-')}`;
  if (fileKind(safetyCopy) !== 'missing') throw new DatabaseFileError(safetyCopy, 'exists', undefined, { fix: 'try again in a moment' });
  const current = openTarget(target, force);
  if (current === 'damaged') return moveAside(target, safetyCopy);
  try {
    claimDestination(safetyCopy, false);
    await copyDatabase(current, safetyCopy);
  } catch (error) {
    removeDatabaseFiles(safetyCopy);
    throw error;
  } finally {
    current.close();
  }
  // The backup API overwrites the target in place, in one transaction: on failure it is unchanged.
  return { safetyCopy, undo: () => removeDatabaseFiles(safetyCopy) };
}

/** A connection to the sound target (holding the exclusive lock, unless forced past another process), or 'damaged'. */
function openTarget(target: string, force: boolean): Database.Database | 'damaged' {
  let db: Database.Database;
  try {
    db = lockExclusively(target);
  } catch (error) {
    if (isDamaged(error)) return 'damaged';
    if (!isBusy(error)) throw error;
    if (!force) throw new DatabaseBusyError(target, 'is open in another process', STOP_APPLICATION_FIRST, { cause: error });
    db = new Database(target, { readonly: true, fileMustExist: true, timeout: EXCLUSIVE_LOCK_TIMEOUT_MS });
  }
  try {
    readDatabaseHeader(db, target);
    assertIntact(db, target);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof DatabaseFileError) return 'damaged';
    throw error;
  }
}

/** Moves a damaged target and its -wal aside under the safety name, and makes a new empty target. */
function moveAside(target: string, safetyCopy: string): SetAside {
  renameSync(target, safetyCopy);
  renameIfPresent(`${target}-wal`, `${safetyCopy}-wal`);
  rmSync(`${target}-shm`, { force: true });
  createPrivateFile(target);
  return {
    safetyCopy,
    undo: () => {
      removeDatabaseFiles(target);
      renameSync(safetyCopy, target);
      renameIfPresent(`${safetyCopy}-wal`, `${target}-wal`);
    },
  };
}

function renameIfPresent(from: string, to: string): void {
  if (fileKind(from) !== 'missing') renameSync(from, to);
}
