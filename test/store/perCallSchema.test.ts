import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CALL_TOTAL_COLUMNS, STAR_COLUMNS } from '../../src/instruments/perCallColumns.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { addPerCallColumns, CALL_TOTAL_TABLES, PER_CALL_COLUMNS_ADDED_IN, SCHEMA_VERSION } from '../../src/store/schema.js';
import { assertSchemaShape } from '../../src/store/schemaShape.js';
import { useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';

/** The per-call columns of schema versions 1 to 3, as released: files on disk have these. */
const RELEASED = [
  'execution_count',
  'success_count',
  'failure_count',
  'latency_sum_ms',
  ...['1', '2_5', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000', '10000', '30000', '60000', 'inf'].map(
    (bound) => `lat_le_${bound}`,
  ),
  ...['timeout', 'cancelled', 'validation', 'auth', 'rate_limited', 'upstream', 'internal'].map((type) => `${type}_count`),
  'rating_count',
  'rating_sum',
  'install_count',
  'stars_1',
  'stars_2',
  'stars_3',
  'stars_4',
  'stars_5',
];

const declared = (db: Database.Database, table: string, column: string) =>
  db.prepare('SELECT type, "notnull", dflt_value FROM pragma_table_info(?) WHERE name = ?').get(table, column) as
    | { type: string; notnull: number; dflt_value: string }
    | undefined;

describe('the per-call columns on disk', () => {
  const directory = useTempDirectory();

  it('keeps the columns of the released versions; a column added to the registry names the migration that adds it', () => {
    const current: string[] = [...CALL_TOTAL_COLUMNS, ...STAR_COLUMNS];
    const unreleased = current.filter((column) => !RELEASED.includes(column));
    const named = unreleased.filter((column) => PER_CALL_COLUMNS_ADDED_IN[column] !== undefined);
    assert.deepEqual(
      unreleased,
      named,
      `the per-call columns ${unreleased.filter((column) => !named.includes(column)).join(', ')} are new: name each in PER_CALL_COLUMNS_ADDED_IN (src/store/schema.ts) with schema version ${SCHEMA_VERSION + 1}, whose migration adds it to the files made before`,
    );
    for (const [column, version] of Object.entries(PER_CALL_COLUMNS_ADDED_IN))
      assert.ok(version > 3 && version <= SCHEMA_VERSION, `${column} is added in version ${version}`);
    // Removing one would leave files with a column nothing writes: keep a released column in the registry.
    assert.deepEqual(
      RELEASED.filter((column) => !current.includes(column)),
      [],
    );
  });

  it('adds a new per-call column to every table that keeps it, in a file of the current version that then validates with it', () => {
    const path = join(directory(), 'analytics.db');
    openAnalyticsDatabase(path).close();
    const db = new Database(path);
    try {
      db.prepare(
        "INSERT INTO skill_usage (skill_id, timestamp, interval_start, execution_count) VALUES ('web_search', '2026-11-28 10:00:00', '2026-11-28 10:00:00', 3)",
      ).run();
      // What a migration adding an error type 'quota' and a sixth star would run: columns added last, as ALTER TABLE does.
      db.exec(addPerCallColumns(['quota_count'], ['stars_6']));
      for (const table of CALL_TOTAL_TABLES)
        assert.deepEqual({ ...declared(db, table, 'quota_count') }, { type: 'INTEGER', notnull: 1, dflt_value: '0' }, table);
      assert.deepEqual({ ...declared(db, 'skill_metrics', 'stars_6') }, { type: 'INTEGER', notnull: 1, dflt_value: '0' });
      assert.equal(declared(db, 'skill_usage', 'stars_6'), undefined);
      assert.deepEqual(db.prepare('SELECT execution_count, quota_count FROM skill_usage').get(), { execution_count: 3, quota_count: 0 });
      // The file is still one of ours at its version: added columns with a default are allowed.
      db.transaction(() => assertSchemaShape(db, path, SCHEMA_VERSION))();
    } finally {
      db.close();
    }
  });
});
