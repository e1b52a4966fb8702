import Database from 'better-sqlite3';
import { DatabaseFileError } from '../core/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './schema.js';

/** A column as `PRAGMA table_info` describes it, declared type in capitals. */
interface Column {
  readonly type: string;
  readonly notnull: number;
  readonly dflt_value: string | null;
  readonly pk: number;
}

/** A table's columns by name, and its unique keys (primary key included) as comma-joined column lists. */
interface TableShape {
  readonly columns: ReadonlyMap<string, Column>;
  readonly uniqueKeys: ReadonlySet<string>;
}

type SchemaShape = ReadonlyMap<string, TableShape>;

const LISTED_PROBLEMS = 5;
const LISTED_COLUMNS = 8;

/** The shape of each schema version, made once by running the migrations in memory: schema.ts stays the one source. */
const shapes = new Map<number, SchemaShape>();

/**
 * Checks, by reading only, that the tables of the database open on `db` are those our migrations
 * made at `version`: every table of that version, each of its columns as declared (type, NOT NULL,
 * default, primary key) and its unique keys; added columns only if a row that leaves them out can be
 * written; no table of a later version. Call it in the read transaction that read `version`.
 * @throws {DatabaseFileError} `damaged-schema`, naming the tables and columns that differ.
 */
export function assertSchemaShape(db: Database.Database, path: string, version: number): void {
  const problems = schemaProblems(readShape(db), version);
  if (problems.length === 0) return;
  const shown = problems.slice(0, LISTED_PROBLEMS).join('; ');
  const more = problems.length > LISTED_PROBLEMS ? `; and ${problems.length - LISTED_PROBLEMS} more` : '';
  throw new DatabaseFileError(path, 'damaged-schema', `schema version ${version}: ${shown}${more}`);
}

function schemaProblems(found: SchemaShape, version: number): string[] {
  const expected = expectedShape(version);
  const problems = [...expected].flatMap(([table, shape]) => {
    const actual = found.get(table);
    return actual === undefined ? [`table ${table} is missing`] : tableProblems(table, shape, actual);
  });
  // A table a later migration makes, even one a migration after it drops again (skill_usage_by_day).
  const later = new Set<string>();
  for (let next = version + 1; next <= SCHEMA_VERSION; next++)
    for (const table of expectedShape(next).keys()) if (!expected.has(table)) later.add(table);
  const early = [...later].filter((table) => found.has(table));
  if (early.length > 0) problems.push(`it already has tables of a later version: ${early.join(', ')}`);
  return problems;
}

function tableProblems(table: string, expected: TableShape, actual: TableShape): string[] {
  const missing = [...expected.columns.keys()].filter((name) => !actual.columns.has(name));
  const problems = missing.length === 0 ? [] : [`table ${table} lacks column${missing.length === 1 ? '' : 's'} ${listed(missing)}`];
  for (const [name, column] of expected.columns) {
    const other = actual.columns.get(name);
    if (other !== undefined && describe(other) !== describe(column))
      problems.push(`${table}.${name} is ${describe(other)}, not ${describe(column)}`);
  }
  for (const [name, column] of actual.columns) {
    if (expected.columns.has(name)) continue;
    if (column.pk > 0) problems.push(`${table}.${name} is an added column in the primary key`);
    else if (column.notnull === 1 && column.dflt_value === null)
      problems.push(`${table}.${name} is an added NOT NULL column without a default`);
  }
  // A key over a missing column is said already, by that column.
  const present = (key: string) => key.split(', ').every((name) => actual.columns.has(name));
  for (const key of expected.uniqueKeys)
    if (!actual.uniqueKeys.has(key) && present(key)) problems.push(`table ${table} has no unique key (${key})`);
  return problems;
}

function listed(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_COLUMNS).join(', ');
  return names.length > LISTED_COLUMNS ? `${shown} and ${names.length - LISTED_COLUMNS} more` : shown;
}

function describe(column: Column): string {
  const parts = [column.type === '' ? 'untyped' : column.type];
  if (column.notnull === 1) parts.push('NOT NULL');
  if (column.dflt_value !== null) parts.push(`DEFAULT ${column.dflt_value}`);
  if (column.pk > 0) parts.push(`primary key #${column.pk}`);
  return parts.join(' ');
}

function expectedShape(version: number): SchemaShape {
  let shape = shapes.get(version);
  if (shape === undefined) {
    const db = new Database(':memory:');
    try {
      for (const ddl of MIGRATIONS.slice(0, version)) db.exec(ddl);
      shape = readShape(db);
    } finally {
      db.close();
    }
    shapes.set(version, shape);
  }
  return shape;
}

/** Every table but SQLite's own, read through the pragma functions, so table names are bound, never spliced in. */
function readShape(db: Database.Database): SchemaShape {
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .pluck()
    .all() as string[];
  const columns = db.prepare('SELECT name, upper(type) AS type, "notnull", dflt_value, pk FROM pragma_table_info(?)');
  const indexes = db.prepare('SELECT name FROM pragma_index_list(?) WHERE "unique" = 1').pluck();
  const indexColumns = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck();
  return new Map(
    tables.map((table) => {
      const rows = columns.all(table) as (Column & { name: string })[];
      const primaryKey = rows
        .filter((row) => row.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((row) => row.name);
      const keys = (indexes.all(table) as string[]).map((index) => (indexColumns.all(index) as string[]).join(', '));
      if (primaryKey.length > 0) keys.push(primaryKey.join(', '));
      return [table, { columns: new Map(rows.map(({ name, ...column }) => [name, column])), uniqueKeys: new Set(keys) }];
    }),
  );
}
