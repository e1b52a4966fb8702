import assert from 'node:assert/strict';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS, RATING_BOUNDARIES } from '../../src/instruments/names.js';
import {
  CALL_TOTAL_COLUMNS,
  CALL_TOTALS,
  ERROR_COLUMNS,
  LATENCY_BUCKET_COLUMNS,
  STAR_COLUMNS,
  totalColumnType,
  type CallTotalField,
  type CallTotals,
  type StarCounts,
} from '../../src/instruments/perCallColumns.js';
import { emptyRow, type UsageRow } from '../../src/sqlite-exporter/rows.js';
import { SqliteWriter, USAGE_COLUMNS } from '../../src/sqlite-exporter/SqliteWriter.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { CALL_TOTAL_TABLES, SKILL_METRICS_TOTAL_COLUMNS, USER_DAY_TOTAL_COLUMNS } from '../../src/store/schema.js';
import { useTempDirectory } from './helpers/tempDirectory.js';

interface TableColumn {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
}

function columnsOfTable(db: Database.Database, table: string): TableColumn[] {
  return db.prepare('SELECT name, type, "notnull", dflt_value FROM pragma_table_info(?)').all(table) as TableColumn[];
}

/** The columns of `field` in the registry, one or many. */
function columnsOfField(field: CallTotalField): readonly string[] {
  return [CALL_TOTALS[field]].flat();
}

/** A row whose every count is a different number, so a column written from the wrong count shows. */
function distinctRow(): UsageRow {
  const row = emptyRow('web_search', 'alice', 'acme', '2026-11-28 09:59:00', '2026-11-28 10:00:00', false);
  let next = 1;
  for (const field of Object.keys(CALL_TOTALS) as CallTotalField[]) {
    const value = row[field];
    if (typeof value === 'number') (row[field] as number) = next++;
    else for (let i = 0; i < value.length; i++) value[i] = next++;
  }
  row.latencySumMs = 12.5;
  row.latencyMinMs = 0.5;
  row.latencyMaxMs = 7.25;
  row.stars.forEach((_, i) => (row.stars[i] = 100 + i));
  return row;
}

describe('the per-call columns registry', () => {
  const directory = useTempDirectory();
  let db: Database.Database;
  beforeEach(() => (db = openAnalyticsDatabase(join(directory(), 'analytics.db'))));
  afterEach(() => db.close());

  it('names one column per latency bucket, +Inf, error type and star, in their order', () => {
    assert.deepEqual(LATENCY_BUCKET_COLUMNS, [
      ...LATENCY_BOUNDARIES_MS.map((bound) => `lat_le_${String(bound).replace('.', '_')}`),
      'lat_le_inf',
    ]);
    assert.deepEqual(
      ERROR_COLUMNS,
      ERROR_TYPES.map((type) => `${type}_count`),
    );
    assert.deepEqual(
      STAR_COLUMNS,
      RATING_BOUNDARIES.map((star) => `stars_${star}`),
    );
    assert.deepEqual(CALL_TOTAL_COLUMNS, (Object.keys(CALL_TOTALS) as CallTotalField[]).flatMap(columnsOfField));
  });

  // By name, not position: a column a later migration adds comes last in the files it moves forward.
  it('gives each table of call totals every column of the registry, as counts that start at 0', () => {
    const registry = new Set<string>(CALL_TOTAL_COLUMNS);
    const byName = (columns: TableColumn[]) => columns.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const table of CALL_TOTAL_TABLES) {
      assert.deepEqual(
        byName(columnsOfTable(db, table).filter((column) => registry.has(column.name))),
        byName(CALL_TOTAL_COLUMNS.map((name) => ({ name, type: totalColumnType(name), notnull: 1, dflt_value: '0' }))),
        table,
      );
    }
    const names = (table: string, keep: (name: string) => boolean) =>
      columnsOfTable(db, table)
        .map((column) => column.name)
        .filter(keep)
        .sort();
    assert.deepEqual(
      names('skill_metrics', (name) => SKILL_METRICS_TOTAL_COLUMNS.includes(name)),
      ['rating_count', 'rating_sum', ...STAR_COLUMNS, 'install_count'].sort(),
    );
    assert.deepEqual(
      names('skill_user_daily', (name) => registry.has(name)),
      [...USER_DAY_TOTAL_COLUMNS].sort(),
    );
  });

  it('binds a skill_usage row to every column of the table but the id, each once', () => {
    const columns = columnsOfTable(db, 'skill_usage')
      .map((column) => column.name)
      .filter((name) => name !== 'id');
    assert.deepEqual([...USAGE_COLUMNS].sort(), columns.sort());
  });

  it('writes every count of a row to its own column of a real SQLite file, and reads each back', () => {
    const row = distinctRow();
    new SqliteWriter(db).write({ usage: [row], points: [] });

    const usage = db.prepare('SELECT * FROM skill_usage').get() as Record<string, unknown>;
    const hourly = db.prepare('SELECT * FROM skill_usage_hourly').get() as Record<string, unknown>;
    for (const field of Object.keys(CALL_TOTALS) as CallTotalField[]) {
      const expected = [row[field]].flat();
      assert.deepEqual(
        columnsOfField(field).map((column) => usage[column]),
        expected,
        `skill_usage, ${field}`,
      );
      assert.deepEqual(
        columnsOfField(field).map((column) => hourly[column]),
        expected,
        `skill_usage_hourly, ${field}`,
      );
    }
    assert.deepEqual(
      { skill: usage['skill_id'], user: usage['user_id'], org: usage['org_id'], at: usage['timestamp'], from: usage['interval_start'] },
      { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-11-28 10:00:00', from: '2026-11-28 09:59:00' },
    );
    assert.deepEqual(
      { avg: usage['avg_latency_ms'], min: usage['latency_min_ms'], max: usage['latency_max_ms'], overflow: usage['overflow'] },
      { avg: 12.5 / row.executions, min: 0.5, max: 7.25, overflow: 0 },
    );

    const metrics = db.prepare('SELECT * FROM skill_metrics').get() as Record<string, unknown>;
    assert.deepEqual(
      SKILL_METRICS_TOTAL_COLUMNS.map((column) => metrics[column]),
      [row.ratingCount, row.ratingSum, ...row.stars, row.installs],
    );
  });

  it('types each count array as a tuple of its columns, so one of another length does not compile', () => {
    // Compile-time checks: tsc fails the build if any of these lines stops being an error.
    // @ts-expect-error: one error type short
    const errors: CallTotals['errors'] = [0, 0, 0, 0, 0, 0];
    // @ts-expect-error: one latency bucket too many
    const buckets: CallTotals['latencyBuckets'] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // @ts-expect-error: a sixth star
    const stars: StarCounts = [0, 0, 0, 0, 0, 0];
    // @ts-expect-error: not a column of the registry
    const column: (typeof CALL_TOTAL_COLUMNS)[number] = 'lat_le_7';
    assert.ok(errors && buckets && stars && column);
  });
});
