/**
 * Whether SQLite's result code says another connection holds the lock we need (SQLITE_BUSY,
 * SQLITE_LOCKED and their extended codes): worth waiting and trying again. The one test of it.
 */
export function isBusySqliteCode(code: string | undefined): boolean {
  return code !== undefined && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** SQLite's result code on an error thrown by better-sqlite3, e.g. 'SQLITE_BUSY_SNAPSHOT'; undefined for other errors. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Whether another connection holds the lock we need: worth waiting and trying again. */
export function isBusy(error: unknown): boolean {
  return isBusySqliteCode(sqliteCode(error));
}

/** Whether SQLite found the file not to be a database, or a damaged one. */
export function isDamaged(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== undefined && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}
