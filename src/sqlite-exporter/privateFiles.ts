import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseFileError } from '../errors.js';

/** Mode of a database file and its copies: read and write for the owner only. */
export const FILE_MODE = 0o600;
/** Mode of a directory we create for a database. */
export const DIRECTORY_MODE = 0o700;

/**
 * Creates `path` empty with mode 0600, and its missing parent directories with mode 0700, before
 * SQLite opens it, so the umask cannot widen them. Existing directories and files are left alone.
 * @returns whether this call created the file (false: it existed, perhaps made by another process a moment ago).
 */
export function createPrivateFile(path: string): boolean {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: DIRECTORY_MODE });
  } catch (error) {
    throw new DatabaseFileError(path, 'unwritable', (error as Error).message, { cause: error });
  }
  try {
    closeSync(openSync(path, 'wx', FILE_MODE));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new DatabaseFileError(path, 'unwritable', (error as Error).message, { cause: error });
  }
}

/** What is at `path`: nothing, a regular file, or something else (a directory, a socket). */
export function fileKind(path: string): 'missing' | 'file' | 'other' {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    if (stats === undefined) return 'missing';
    return stats.isFile() ? 'file' : 'other';
  } catch (error) {
    // A parent that is a file: nothing can be at this path.
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
    throw error;
  }
}

/** Size of the file at `path` in bytes, 0 when there is none. */
export function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}
