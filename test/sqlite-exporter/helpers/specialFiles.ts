import { execFileSync } from 'node:child_process';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';

/** Makes a FIFO (named pipe) at `path`. Tests only name it: never open it, a reader would block. */
export function makeFifo(path: string): string {
  execFileSync('mkfifo', [path]);
  return path;
}

/**
 * A character device to name as a destination that must be refused: a node of the null device
 * (1, 3) made in `directory` when this process may make one, else /dev/null itself. A private node
 * keeps the system's devices out of reach even if a refusal ever regresses; without the privilege
 * to make one, this process could not replace /dev/null either.
 */
export function charDevice(directory: string): string {
  const path = join(directory, 'null-device');
  try {
    execFileSync('mknod', [path, 'c', '1', '3'], { stdio: 'ignore' });
    return path;
  } catch {
    return '/dev/null';
  }
}

/** What is at `path`, without following a link: 'file', 'directory', 'symlink', 'fifo', 'char device', or 'missing'. */
export function kindOf(path: string): string {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 'missing';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isCharacterDevice()) return 'char device';
  return stats.isDirectory() ? 'directory' : 'file';
}
