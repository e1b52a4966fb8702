import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory for each test, removed after it. Call inside `describe`; the function returns the current one. */
export function useTempDirectory(): () => string {
  let directory: string | undefined;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'toolweaver-db-'));
  });
  afterEach(() => {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
    directory = undefined;
  });
  return () => {
    if (directory === undefined) throw new Error('useTempDirectory: no test is running');
    return directory;
  };
}

/** What a file is, byte for byte and by modification time, and what lies beside it. */
export interface FileSnapshot {
  readonly bytes: Buffer;
  readonly mtimeMs: number;
  readonly siblings: readonly string[];
}

/** Takes a {@link FileSnapshot} of `path` in `directory`. */
export function snapshot(directory: string, path: string): FileSnapshot {
  return { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs, siblings: readdirSync(directory).sort() };
}

/** Permission bits of a file or directory, e.g. 0o600. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}
