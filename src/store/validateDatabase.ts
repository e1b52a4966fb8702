import type Database from 'better-sqlite3';
import { DatabaseFileError, DatabaseVersionError } from '../core/errors.js';
import { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { assertSchemaShape } from './schemaShape.js';
import { sqliteCode } from '../core/sqliteCode.js';

/** What a database says about itself, read without writing anything. */
export interface DatabaseHeader {
  /** `PRAGMA application_id`: {@link APPLICATION_ID} for ours, 0 for a new file. */
  readonly applicationId: number;
  /** `PRAGMA user_version`: the schema version of ours, 0 for a new file. */
  readonly userVersion: number;
  /** Its tables, without SQLite's own (`sqlite_%`, such as `sqlite_stat1` made by ANALYZE). */
  readonly tables: readonly string[];
}

/** Every table our migrations create. */
const OUR_TABLES: ReadonlySet<string> = new Set(
  MIGRATIONS.flatMap((ddl) => [...ddl.matchAll(/CREATE TABLE (\w+)/g)].map((match) => match[1]!)),
);

const LISTED_TABLES = 5;

/**
 * Checks that the database at `path`, open on `db`, is ours (or new) with the tables and columns of
 * its schema version, intact, and not newer than this release, by reading only. Throws
 * {@link DatabaseFileError} or {@link DatabaseVersionError}.
 */
export function validateDatabase(db: Database.Database, path: string): DatabaseHeader {
  const header = inOneSnapshot(db, path, () => {
    const header = readDatabaseHeader(db, path);
    assertOurs(header, path);
    if (header.userVersion <= SCHEMA_VERSION) assertSchemaShape(db, path, header.userVersion);
    return header;
  });
  assertIntact(db, path);
  if (header.userVersion > SCHEMA_VERSION) throw new DatabaseVersionError(path, header.userVersion, SCHEMA_VERSION);
  return header;
}

/** Reads the application id, schema version and tables; a file SQLite cannot read throws DatabaseFileError. */
export function readDatabaseHeader(db: Database.Database, path: string): DatabaseHeader {
  // One read transaction, so all three come from one snapshot: read one by one, they could
  // straddle another process's first migration and see its tables without its application_id.
  return inOneSnapshot(db, path, () => ({
    applicationId: db.pragma('application_id', { simple: true }) as number,
    userVersion: db.pragma('user_version', { simple: true }) as number,
    tables: db
      .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      .pluck()
      .all() as string[],
  }));
}

/** Runs `read` in one read transaction (or the one open already); a file SQLite cannot read throws DatabaseFileError. */
function inOneSnapshot<T>(db: Database.Database, path: string, read: () => T): T {
  try {
    return db.inTransaction ? read() : db.transaction(read)();
  } catch (error) {
    throw damagedFileError(error, path) ?? error;
  }
}

/**
 * Ours: our application id, or a new file (id 0 and no tables). A file with id 0 and tables is not
 * ours even when the table names are the guide's: the Python ToolWeaver makes such files, with other columns.
 */
export function assertOurs(header: DatabaseHeader, path: string): void {
  if (header.applicationId === APPLICATION_ID) return;
  if (header.applicationId !== 0) {
    throw new DatabaseFileError(
      path,
      'foreign',
      `application_id ${hex(header.applicationId)}; toolweaver-analytics databases have ${hex(APPLICATION_ID)}`,
    );
  }
  if (header.tables.length === 0) return;
  const strangers = header.tables.filter((table) => !OUR_TABLES.has(table));
  const detail =
    strangers.length === 0
      ? `it has tables named like ours (${listed(header.tables)}) but not the toolweaver-analytics application_id ${hex(APPLICATION_ID)}: ` +
        'another tool, such as the Python ToolWeaver, or a hand-made schema created them'
      : `it has tables toolweaver-analytics does not create: ${listed(strangers)}`;
  throw new DatabaseFileError(path, 'foreign', detail);
}

/** `PRAGMA quick_check`: the b-trees and pages are sound (indexes are not compared with their tables). */
export function assertIntact(db: Database.Database, path: string): void {
  let problems: string[];
  try {
    problems = db.prepare('PRAGMA quick_check(5)').pluck().all() as string[];
  } catch (error) {
    throw damagedFileError(error, path) ?? error;
  }
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new DatabaseFileError(path, 'corrupt', `PRAGMA quick_check: ${problems.map(oneLine).join('; ')}`);
  }
}

/** The DatabaseFileError for SQLITE_NOTADB or SQLITE_CORRUPT*, undefined for other errors. */
export function damagedFileError(error: unknown, path: string): DatabaseFileError | undefined {
  const code = sqliteCode(error);
  if (code === 'SQLITE_NOTADB')
    return new DatabaseFileError(path, 'not-a-database', `SQLite: ${(error as Error).message}`, { cause: error });
  if (code?.startsWith('SQLITE_CORRUPT'))
    return new DatabaseFileError(path, 'corrupt', `SQLite: ${(error as Error).message}`, { cause: error });
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function hex(id: number): string {
  return `0x${(id >>> 0).toString(16).padStart(8, '0')}`;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_TABLES).join(', ');
  return names.length > LISTED_TABLES ? `${shown} and ${names.length - LISTED_TABLES} more` : shown;
}
