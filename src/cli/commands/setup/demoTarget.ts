import { relative, isAbsolute } from 'node:path';
import { DatabaseFileError } from '../../../core/errors.js';
import { openAnalyticsDatabase } from '../../../store/openDatabase.js';
import { fileKind } from '../../../store/privateFiles.js';
import { CliFailure } from '../../cliErrors.js';

/**
 * Checks that the demo may replace `path`: a missing file is fine; an existing one only when it is
 * a toolweaver-analytics database and it is the default demo file or `force` is set. Anything
 * else (your real database by mistake, another application's file) is refused untouched.
 */
export function checkDemoTarget(path: string, isDefault: boolean, force: boolean): void {
  const kind = fileKind(path);
  if (kind === 'missing') return;
  if (kind === 'other') throw new CliFailure(`${path} is not a file: pass --db with a new file name`);
  try {
    openAnalyticsDatabase(path, { readonly: true }).close();
  } catch (error) {
    if (!(error instanceof DatabaseFileError)) throw error;
    throw new CliFailure(
      `${path} exists and is not a toolweaver-analytics database, so the demo will not replace it: move it, or pass --db with a new file name`,
    );
  }
  if (!isDefault && !force) {
    throw new CliFailure(
      `${path} already holds a toolweaver-analytics database, which the demo would replace: pass --force to replace it, or --db with a new file name`,
    );
  }
}

/** `path` as the demo's suggestions show it: relative to `cwd` when inside it, quoted for a shell when needed. */
export function shellPath(path: string, cwd: string): string {
  const near = relative(cwd, path);
  const shown = near !== '' && !near.startsWith('..') && !isAbsolute(near) ? near : path;
  return /^[\w./@%+=:,-]+$/.test(shown) ? shown : `'${shown.replaceAll("'", "'\\''")}'`;
}
