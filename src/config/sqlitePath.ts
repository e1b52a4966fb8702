import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULTS } from './defaults.js';

/** SQLite's name for a database that lives in memory and is gone at exit. */
export const MEMORY = ':memory:';

/** The forms `ANALYTICS_DB_URL` accepts. */
export const SQLITE_URL_ALLOWED = 'sqlite:///absolute/path, sqlite:////absolute/path (SQLAlchemy style) or sqlite:///:memory:';

/** What a database path may be. */
export const SQLITE_PATH_ALLOWED =
  "a file path (~/ is your home directory, a relative path is taken from the working directory) or ':memory:'";

const URL_PREFIX = 'sqlite:///';
const TILDE = /^~(?=$|[\\/])/;
const TILDE_USER = /^~[^\\/]/;

/** A database path as given: anything but `~user/…`, which we do not expand. */
export const sqlitePathText = z.string().refine((path) => !TILDE_USER.test(path), {
  message: '~user/ is not expanded, only ~/ is',
});

/** `ANALYTICS_DB_URL`: the path it names (one slash or two after `sqlite://` both mean an absolute path). */
export const sqliteUrl: z.ZodType<string, string> = z
  .string()
  .refine((url) => url.toLowerCase().startsWith(URL_PREFIX) && url.length > URL_PREFIX.length, {
    message: 'not a sqlite:/// URL with a path',
  })
  .transform((url) => {
    const rest = url.slice(URL_PREFIX.length);
    if (rest === MEMORY || /^[A-Za-z]:[\\/]/.test(rest)) return rest;
    return `/${rest.replace(/^\/+/, '')}`;
  });

/**
 * The database when none is named: DEFAULTS.sqlite.path (`~/.toolweaver/analytics.db`) under
 * `home`, or, without one, the user's home directory as Node finds it (`$HOME` on POSIX).
 */
export function defaultSqlitePath(home?: string): string {
  return resolveSqlitePath(DEFAULTS.sqlite.path, home);
}

/** Where a database path points: `~` expanded from `home`, relative paths made absolute, `:memory:` kept. */
export function resolveSqlitePath(path: string, home: string | undefined): string {
  if (path === MEMORY) return MEMORY;
  return resolve(TILDE.test(path) ? join(home ?? homedir(), path.slice(1)) : path);
}
