import { rmSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { DatabaseFileError } from '../core/errors.js';
import { createPrivateFile, fileKind, fileSize } from '../store/privateFiles.js';

/** Progress of a copy, as SQLite's backup API reports it. */
export interface BackupProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}

/** What a copy wrote. */
export interface BackupResult {
  /** Database pages copied. */
  readonly pages: number;
  /** Size of the copy in bytes. */
  readonly bytes: number;
}

/** Pages per step of the backup API: all of them in one step, a consistent snapshot that writers cannot restart. */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies the database open on `db` into the file at `destinationPath` (which must exist, empty or a
 * database) with SQLite's online backup API. In one step: a step that another connection's write
 * interrupts starts over, so many small steps beside a busy writer might never finish. In WAL mode
 * the copy, a read, blocks no writer.
 */
export async function copyDatabase(
  db: Database.Database,
  destinationPath: string,
  onProgress?: (progress: BackupProgress) => void,
): Promise<BackupResult> {
  const { totalPages } = await db.backup(destinationPath, {
    progress: (progress) => {
      onProgress?.(progress);
      return ALL_PAGES;
    },
  });
  onProgress?.({ totalPages, remainingPages: 0 });
  return { pages: totalPages, bytes: fileSize(destinationPath) };
}

/**
 * Makes way for a new database at `path`: an existing one is refused, or with `overwrite` removed
 * with its -wal and -shm; then the file is created empty with mode 0600.
 * @throws {DatabaseFileError} `exists` when the file exists and `overwrite` is false.
 */
export function claimDestination(path: string, overwrite: boolean): void {
  if (fileKind(path) !== 'missing') {
    if (!overwrite) throw new DatabaseFileError(path, 'exists');
    removeDatabaseFiles(path);
  }
  if (!createPrivateFile(path)) throw new DatabaseFileError(path, 'exists', 'another process created it meanwhile');
}

/** Removes a database: its file and, in WAL mode, the -wal and -shm beside it (a stale -wal would be replayed into a new file). */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}
