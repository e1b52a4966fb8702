import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DatabaseFileError } from '../core/errors.js';
import { DATABASE_COMPANIONS } from '../store/privateFiles.js';

/** How a destination the user named may be written. */
export interface DestinationRules {
  /** Replace an existing regular file; never a link, a device or a directory. @default false */
  readonly overwrite?: boolean;
  /** Files never to be written, by whatever path they are reached: {@link databaseFiles} of the live database. @default [] */
  readonly protect?: readonly string[];
  /** How the caller allows replacing, as messages name it: `--force` in the CLI. @default '{ overwrite: true }' */
  readonly allow?: string;
}

/**
 * The database at `path` with its -wal, -shm and -journal, and the same again under its real path
 * when `path` leads there through links (SQLite keeps them beside the real file). None for ':memory:'.
 */
export function databaseFiles(path: string): string[] {
  if (path === '' || path === ':memory:') return [];
  const real = attempt(() => realpathSync.native(path));
  const bases = real === undefined || real === path ? [path] : [path, real];
  return bases.flatMap((base) => [base, ...DATABASE_COMPANIONS.map((suffix) => `${base}${suffix}`)]);
}

/**
 * The protected file that `path` is, if any: the same device and inode where both exist, else the
 * same real path (the real directory and the name), which also catches a file not made yet.
 */
export function sameFileAs(path: string, protect: readonly string[]): string | undefined {
  const target = identity(path);
  const name = realName(path);
  return protect.find((file) => {
    const other = target === undefined ? undefined : identity(file);
    if (other !== undefined && other.dev === target!.dev && other.ino === target!.ino) return true;
    return name !== undefined && realName(file) === name;
  });
}

/**
 * Checks that a file may be written at `path`, before anything is: it is not a protected file by any
 * path, its directory exists, and it is new or (with `overwrite`) a regular file, not a link.
 * @throws {DatabaseFileError} `same-file`, `no-directory`, `symlink`, `not-a-file` or `exists`.
 */
export function checkFileDestination(path: string, rules: DestinationRules = {}): void {
  const entry = entryAt(path);
  refuseProtected(path, rules);
  if (entry === 'no-directory') throw new DatabaseFileError(path, 'no-directory', dirname(path));
  if (entry === 'missing') return;
  if (entry.isSymbolicLink()) throw new DatabaseFileError(path, 'symlink', linkDetail(path), { allow: rules.allow });
  if (!entry.isFile()) throw new DatabaseFileError(path, 'not-a-file', describeEntry(entry));
  if (!(rules.overwrite ?? false)) throw new DatabaseFileError(path, 'exists', undefined, { allow: rules.allow });
}

/**
 * {@link checkFileDestination} for a database: the file, and the -wal, -shm and -journal that
 * replacing it removes and copying into it writes.
 */
export function checkDatabaseDestination(path: string, rules: DestinationRules = {}): void {
  checkFileDestination(path, rules);
  for (const suffix of DATABASE_COMPANIONS) checkFileDestination(`${path}${suffix}`, { ...rules, overwrite: true });
}

/**
 * Checks a directory and the files to be written into it (relative, `/`-separated): the directory
 * and those on the way are new or real directories, not links; existing files are regular files,
 * replaced only with `overwrite`; none of them is a protected file.
 * @throws {DatabaseFileError} `same-file`, `symlink`, `not-a-directory`, `not-a-file` or `exists`.
 */
export function checkTreeDestination(root: string, files: Iterable<string>, rules: DestinationRules = {}): void {
  checkDirectory(root, rules);
  for (const file of files) {
    const parts = file.split('/');
    for (let depth = 1; depth < parts.length; depth++) checkDirectory(join(root, ...parts.slice(0, depth)), rules);
    const path = join(root, ...parts);
    if (entryAt(path) !== 'no-directory') checkFileDestination(path, rules);
  }
}

/** What is at `path`, following links, when it exists and is not a regular file: 'a FIFO', 'a directory'. */
export function notARegularFile(path: string): string | undefined {
  const stats = attempt(() => statSync(path));
  return stats === undefined || stats.isFile() ? undefined : describeEntry(stats);
}

/** Where the link at `path` leads, for a message: `to X`, or `to X, which does not exist`; undefined when `path` is no link. */
export function linkDetail(path: string): string | undefined {
  const to = attempt(() => readlinkSync(path));
  if (to === undefined) return undefined;
  return identity(path) === undefined ? `to ${to}, which does not exist` : `to ${to}`;
}

function checkDirectory(path: string, rules: DestinationRules): void {
  const entry = entryAt(path);
  refuseProtected(path, rules);
  if (entry === 'missing' || entry === 'no-directory') return; // made new, with its parents
  if (entry.isSymbolicLink()) throw new DatabaseFileError(path, 'symlink', linkDetail(path), { allow: rules.allow });
  if (!entry.isDirectory()) throw new DatabaseFileError(path, 'not-a-directory', describeEntry(entry));
}

function refuseProtected(path: string, rules: DestinationRules): void {
  const same = sameFileAs(path, rules.protect ?? []);
  if (same !== undefined) throw new DatabaseFileError(path, 'same-file', `the same file as ${same}`);
}

/** The entry at `path` itself (a link is not followed), 'missing' in an existing directory, or 'no-directory'. */
function entryAt(path: string): Stats | 'missing' | 'no-directory' {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') return 'no-directory';
    if (code !== 'ENOENT') throw error;
    return attempt(() => statSync(dirname(path)))?.isDirectory() === true ? 'missing' : 'no-directory';
  }
}

function describeEntry(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/** Device and inode of what `path` leads to, following links; undefined when nothing is there. */
function identity(path: string): { dev: bigint; ino: bigint } | undefined {
  return attempt(() => statSync(path, { bigint: true }));
}

/**
 * The real directory of `path` with its name: where a file at `path` is, or would be made. The
 * native realpath: Node's own first folds `link/..` as text, which is not where the kernel goes.
 */
function realName(path: string): string | undefined {
  const directory = attempt(() => realpathSync.native(dirname(path)));
  return directory === undefined ? undefined : join(directory, basename(path));
}

/** `read()`, or undefined when the file system says the path leads nowhere (missing, a file on the way, a link loop). */
function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (['ENOENT', 'ENOTDIR', 'ELOOP', 'EINVAL'].includes((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
  }
}
