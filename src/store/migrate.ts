import type Database from 'better-sqlite3';
import { DatabaseVersionError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import { retryWhileBusy } from './busyRetry.js';
import { META, initMeta, setMeta } from './meta.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, sqliteTime } from './schema.js';
import { assertOurs, readDatabaseHeader } from './validateDatabase.js';

/**
 * Brings the database up to {@link SCHEMA_VERSION}: each migration in its own IMMEDIATE
 * transaction that also raises `user_version`. A current database is not locked or written.
 */
export function migrate(db: Database.Database, path: string, now: number = Date.now()): void {
  if (db.pragma('user_version', { simple: true }) === SCHEMA_VERSION) return;
  const step = db.transaction(() => applyNextMigration(db, path, now));
  for (let more = true; more; ) more = retryWhileBusy(() => step.immediate());
}

/**
 * Applies the migration after the current version and tells whether more remain. The header is read
 * again inside the transaction: another process may have migrated the file since we looked.
 */
function applyNextMigration(db: Database.Database, path: string, now: number): boolean {
  const { applicationId, userVersion, tables } = readDatabaseHeader(db, path);
  assertOurs({ applicationId, userVersion, tables }, path);
  if (userVersion > SCHEMA_VERSION) throw new DatabaseVersionError(path, userVersion, SCHEMA_VERSION);
  if (userVersion === SCHEMA_VERSION) return false;
  db.exec(MIGRATIONS[userVersion]!);
  if (userVersion === 0) {
    db.pragma(`application_id = ${APPLICATION_ID}`);
    initMeta(db, META.createdAt, sqliteTime(now));
  }
  setMeta(db, META.packageVersion, VERSION);
  db.pragma(`user_version = ${userVersion + 1}`);
  return userVersion + 1 < SCHEMA_VERSION;
}
