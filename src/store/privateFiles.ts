import { closeSync, lstatSync, mkdirSync, openSync, realpathSync, statSync, type Stats } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { DatabaseFileError } from '../core/errors.js';

/** The files SQLite keeps beside a database, by suffix: protecting or replacing a database means them too. */
export const DATABASE_COMPANIONS: readonly string[] = Object.freeze(['-wal', '-shm', '-journal']);

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

/** Permission bits of the users outside a file's owner and its group. */
const OTHERS = 0o007;
const OTHERS_WRITE = 0o002;
const STICKY = 0o1000;
/** Root may read and replace anything already: a directory or link it owns puts nothing in another user's hands. */
const ROOT_UID = 0;

/**
 * Refuses, before the file is read, a database that another user holds or could swap: the file, the
 * file a symbolic link leads to, or the -wal, -shm or -journal beside the real file are owned by
 * another user; the link itself, or the directory of the link or of the real file, is owned by
 * another user than root; or such a directory may be written by everyone and has no sticky bit (as
 * /tmp has), so anyone could replace the file. What does not exist yet is not checked: we make it,
 * privately. The file's group and its permissions are the owner's choice, and allowed. No-op
 * without POSIX owners (Windows).
 * @throws {DatabaseFileError} `unsafe-permissions`, naming the file, its owner or mode, and the fix.
 */
export function assertOwnedByUs(path: string): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const files = filesOf(path);
  for (const directory of new Set([realDirectory(path), ...files.map(({ file }) => realDirectory(file))])) {
    const stats = statOrUndefined(directory, (at) => statSync(at));
    if (stats !== undefined) checkDirectory(path, directory, stats, uid);
  }
  for (const { file, what, stats } of files) {
    if (stats.uid === uid || (stats.isSymbolicLink() && stats.uid === ROOT_UID)) continue;
    const fix = stats.isSymbolicLink()
      ? 'it was left untouched: its owner may point it elsewhere at any time; remove the link, or point ANALYTICS_DB_PATH at a file of your own'
      : `it was left untouched. If it is yours, \`chown ${userName(uid)} ${file}\` and \`chmod 600 ${file}\`; if not, point ANALYTICS_DB_PATH at a file of your own`;
    throw new DatabaseFileError(path, 'unsafe-permissions', `${what} is owned by uid ${stats.uid}, and this process runs as uid ${uid}`, {
      fix,
    });
  }
}

/**
 * {@link assertOwnedByUs}, and refuses a database whose file or -wal, -shm or -journal give any
 * permission to users outside the owner and the file's group (`mode & 0o007`): docs/grafana.md's
 * 0640 for Grafana's group passes, 0644 does not. Called once the file is known to be a database of
 * ours, so that a file that is not one is refused as such first.
 * @throws {DatabaseFileError} `unsafe-permissions`.
 */
export function assertPrivate(path: string): void {
  if (process.getuid?.() === undefined) return;
  assertOwnedByUs(path);
  for (const { file, what, stats } of filesOf(path)) {
    if (stats.isSymbolicLink() || (stats.mode & OTHERS) === 0) continue;
    throw new DatabaseFileError(
      path,
      'unsafe-permissions',
      `${what} has mode ${octal(stats.mode)}, which lets every user ${access(stats.mode)} it`,
      {
        fix: `it was left untouched: \`chmod 600 ${file}\`, or \`chmod 640 ${file}\` to let its group read it (as for Grafana: docs/grafana.md)`,
      },
    );
  }
}

interface Entry {
  readonly file: string;
  /** How a message names it: `it`, `its -wal file /x/a.db-wal`. */
  readonly what: string;
  readonly stats: Stats;
}

/**
 * What exists of: the entry at `path` (a link itself, then the file it leads to), and the -wal,
 * -shm and -journal SQLite keeps beside the real file.
 */
function filesOf(path: string): Entry[] {
  const entries: Entry[] = [];
  const entry = statOrUndefined(path, (at) => lstatSync(at));
  const real = entry?.isSymbolicLink() === true ? statOrUndefined(path, (at) => realpathSync(at)) : undefined;
  if (entry?.isSymbolicLink() === true) {
    entries.push({ file: path, what: 'it, a symbolic link,', stats: entry });
    if (real !== undefined) entries.push({ file: real, what: `the file it leads to, ${real},`, stats: statSync(real) });
  } else if (entry !== undefined) {
    entries.push({ file: path, what: 'it', stats: entry });
  }
  const base = real ?? path;
  for (const suffix of DATABASE_COMPANIONS) {
    const companion = join(realDirectory(base), `${basename(base)}${suffix}`);
    const stats = statOrUndefined(companion, (at) => lstatSync(at));
    if (stats !== undefined) entries.push({ file: companion, what: `its ${suffix} file ${companion}`, stats });
  }
  return entries;
}

function checkDirectory(path: string, directory: string, stats: Stats, uid: number): void {
  if (stats.uid !== uid && stats.uid !== ROOT_UID) {
    throw new DatabaseFileError(
      path,
      'unsafe-permissions',
      `its directory ${directory} is owned by uid ${stats.uid}, and this process runs as uid ${uid}`,
      {
        fix: "it was left untouched: a directory's owner can replace any file in it; keep the database in a directory of your own, or point ANALYTICS_DB_PATH at one",
      },
    );
  }
  if ((stats.mode & OTHERS_WRITE) !== 0 && (stats.mode & STICKY) === 0) {
    throw new DatabaseFileError(
      path,
      'unsafe-permissions',
      `its directory ${directory} has mode ${octal(stats.mode)}, which lets every user replace the files in it`,
      {
        fix: `it was left untouched: \`chmod o-w ${directory}\`, or point ANALYTICS_DB_PATH at a directory of your own`,
      },
    );
  }
}

/** The real path of the directory `file` is in (the link's own for a link); as given when it does not exist. */
function realDirectory(file: string): string {
  return statOrUndefined(dirname(file), (at) => realpathSync(at)) ?? dirname(file);
}

/** `read(path)`, or undefined when nothing is there (or a file stands where a directory should, or links loop). */
function statOrUndefined<T>(path: string, read: (path: string) => T): T | undefined {
  try {
    return read(path);
  } catch (error) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}

/** What `mode` lets others do, in words: `read`, `read and write`. */
function access(mode: number): string {
  const kinds = [
    ['read', 0o004],
    ['write', 0o002],
    ['execute', 0o001],
  ] as const;
  return kinds
    .filter(([, bit]) => (mode & bit) !== 0)
    .map(([kind]) => kind)
    .join(' and ');
}

function octal(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/**
 * The name `chown` takes for `uid`, this process's user: its name, or the number where none is
 * known (a container without a passwd entry).
 */
function userName(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return String(uid);
  }
}
