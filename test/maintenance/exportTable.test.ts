import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type Database from 'better-sqlite3';
import { rebuildAggregates } from '../../src/store/aggregates.js';
import { exportTable } from '../../src/maintenance/exportTable.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { applyRetention } from '../../src/store/retention.js';
import { TABLES, type TableName } from '../../src/store/schema.js';
import { writeAnalyticsFixture } from '../sqlite-exporter/fixtures/analyticsFixture.js';
import { collectText } from '../sqlite-exporter/helpers/collect.js';
import { insertRow } from '../sqlite-exporter/helpers/rows.js';
import { sqlite3Ok } from '../sqlite-exporter/helpers/sqliteCli.js';
import { useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';

async function exportText(db: Database.Database, table: TableName, format: 'csv' | 'json' | 'ndjson'): Promise<string> {
  const out = collectText();
  await exportTable(db, table, format, out.stream);
  return out.text();
}

/** Text that CSV writers get wrong, in the columns of skill_usage that hold text. */
const AWKWARD = [
  'plain',
  'with,comma',
  'with "quotes"',
  'two\nlines',
  'crlf\r\nline',
  ' padded ',
  "it's",
  'tab\there',
  'ünïcødé ✓',
  '',
  'emoji 🚀',
];

describe('exportTable', function () {
  this.timeout(20_000);
  const tmp = useTempDirectory();
  let path: string;
  let db: Database.Database;

  beforeEach(() => {
    path = join(tmp(), 'analytics.db');
    db = openAnalyticsDatabase(path);
  });
  afterEach(() => db.close());

  /**
   * The realistic fixture, rolled up by retention so skill_usage_daily has rows, and the awkward
   * rows; both are inserted by hand, so the write-time aggregates are rebuilt from them.
   */
  function fillEveryTable(): void {
    const now = Date.parse('2026-03-10T12:00:00Z');
    writeAnalyticsFixture(db, now);
    applyRetention(db, { retentionDays: 365, now });
    insertAwkwardRows();
    rebuildAggregates(db);
  }

  function insertAwkwardRows(): void {
    AWKWARD.forEach((text, index) =>
      insertRow(db, 'skill_usage', {
        skill_id: text,
        user_id: index % 3 === 0 ? null : text,
        org_id: index % 2 === 0 ? '' : null,
        timestamp: '2026-01-01 00:00:00',
        interval_start: text,
        execution_count: index,
        install_count: 2 ** 53 + 1 + index,
        latency_sum_ms: [0, 0.5, 1234.25, -2.5, 1e-3, 1e300, 123456789.125, 5][index % 8],
        avg_latency_ms: index % 2 === 0 ? null : 11,
      }),
    );
    AWKWARD.forEach((text, index) =>
      insertRow(db, 'skill_call_rating', {
        call_id: text,
        user_id: index % 3 === 0 ? '' : text,
        skill_id: text,
        agent_name: index % 2 === 0 ? '' : text,
        stars: 1 + (index % 5),
        rated_at: '2026-01-01 00:00:00',
        counted_at: text,
      }),
    );
  }

  describe('csv', () => {
    it('is byte for byte what sqlite3 -header -csv prints, for every table', async () => {
      fillEveryTable();
      for (const table of TABLES) {
        const cli = await sqlite3Ok([path, '-header', '-csv', `SELECT * FROM ${table};`]);
        assert.equal(await exportText(db, table, 'csv'), cli, table);
      }
    });

    it('quotes as the shell does: NULL empty, the empty string as "", quotes doubled', async () => {
      insertRow(db, 'skill_usage', { skill_id: 'say "hi", then', user_id: null, org_id: '', timestamp: 't', interval_start: 'x' });
      const [, row] = (await exportText(db, 'skill_usage', 'csv')).split('\n');
      assert.match(row!, /^1,"say ""hi"", then",,"",t,x,0,/);
    });

    it('writes a REAL with the digits SQLite needs to give the same number back', async () => {
      const third = 1000 / 3;
      insertRow(db, 'skill_usage', {
        skill_id: 's',
        timestamp: 't',
        interval_start: 'x',
        latency_sum_ms: third,
        avg_latency_ms: 0.1 + 0.2,
      });
      const [header, row] = (await exportText(db, 'skill_usage', 'csv')).split('\n');
      const cell = (name: string) => row!.split(',')[header!.split(',').indexOf(name)]!;
      assert.equal(Number(cell('latency_sum_ms')), third);
      assert.equal(Number(cell('avg_latency_ms')), 0.1 + 0.2);
      assert.equal(cell('latency_sum_ms'), db.prepare('SELECT CAST(latency_sum_ms AS TEXT) FROM skill_usage').pluck().get());
    });

    it('still writes the header of an empty table, where the shell prints nothing', async () => {
      assert.equal(await sqlite3Ok([path, '-header', '-csv', 'SELECT * FROM skill_usage;']), '');
      const csv = await exportText(db, 'skill_usage', 'csv');
      assert.match(csv, /^id,skill_id,user_id,org_id,timestamp,interval_start,execution_count,.*,overflow,agent_name\n$/);
    });
  });

  describe('json and ndjson', () => {
    it('json parses to what sqlite3 -json prints, for every table', async () => {
      fillEveryTable();
      for (const table of TABLES) {
        const cli = await sqlite3Ok(['-json', path, `SELECT * FROM ${table};`]);
        assert.deepEqual(JSON.parse(await exportText(db, table, 'json')), JSON.parse(cli), table);
      }
    });

    it('ndjson holds the same objects, one per line', async () => {
      writeAnalyticsFixture(db, Date.parse('2026-03-10T12:00:00Z'));
      const lines = (await exportText(db, 'skill_usage', 'ndjson')).split('\n');
      assert.equal(lines.pop(), '');
      assert.deepEqual(
        lines.map((line) => JSON.parse(line)),
        JSON.parse(await exportText(db, 'skill_usage', 'json')),
      );
    });

    it('keeps integers beyond 2^53 exact, and gives an empty table as [] (json) or nothing (ndjson)', async () => {
      assert.equal(await exportText(db, 'skill_usage', 'json'), '[]\n');
      assert.equal(await exportText(db, 'skill_usage', 'ndjson'), '');
      insertRow(db, 'skill_usage', { skill_id: 's', timestamp: 't', interval_start: 'x', install_count: 2n ** 62n + 1n });
      assert.match(await exportText(db, 'skill_usage', 'json'), /"install_count":4611686018427387905,/);
    });
  });

  it('streams a table of 200,000 rows with little memory, pausing whenever the stream asks', async () => {
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
      INSERT INTO skill_usage (skill_id, user_id, org_id, timestamp, interval_start, execution_count, success_count, latency_sum_ms, avg_latency_ms)
      SELECT 'skill_' || (i % 50), 'user_' || i, 'org_' || (i % 7), datetime(1767225600 + i * 10, 'unixepoch'), datetime(1767225590 + i * 10, 'unixepoch'),
        i % 9 + 1, i % 9 + 1, (i % 9 + 1) * 12.25, 12.25 FROM n`);
    let bytes = 0;
    let rowsSeen = 0;
    let mostBuffered = 0;
    let mostHeap = 0;
    const baseline = process.memoryUsage().heapUsed;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        for (let at = chunk.indexOf(0x0a); at >= 0; at = chunk.indexOf(0x0a, at + 1)) rowsSeen++;
        mostBuffered = Math.max(mostBuffered, this.writableLength);
        mostHeap = Math.max(mostHeap, process.memoryUsage().heapUsed - baseline);
        setImmediate(callback);
      },
    });
    const { rows } = await exportTable(db, 'skill_usage', 'json', slow);
    assert.equal(rows, 200_000);
    assert.equal(rowsSeen, 200_000, 'one line per row');
    assert.ok(bytes > 100e6, `${bytes} bytes exported`);
    assert.ok(mostBuffered <= 256 * 1024, `at most ${mostBuffered} bytes waited in the stream`);
    // Holding the export, or the rows, would take more than the bytes exported; streaming takes a few megabytes.
    assert.ok(mostHeap < bytes / 5, `the heap grew by ${mostHeap} bytes at most, for ${bytes} bytes exported`);
  });

  it('rejects with the error of a stream that fails, and leaves the connection usable', async () => {
    insertAwkwardRows();
    const failing = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        setImmediate(() => callback(new Error('disk full')));
      },
    });
    failing.on('error', () => undefined);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
      INSERT INTO skill_usage (skill_id, timestamp, interval_start) SELECT 's', 't', 'x' FROM n`);
    await assert.rejects(exportTable(db, 'skill_usage', 'csv', failing), /disk full/);
    assert.equal(db.prepare('DELETE FROM skill_usage').run().changes, 5000 + AWKWARD.length);
  });

  it('exports only the tables of the schema, and says which they are', async () => {
    const allowed =
      'skill_usage, skill_usage_daily, skill_usage_hourly, skill_usage_by_day, skill_user_daily, skill_user_first, user_daily, skill_metrics, skill_call_rating, leaderboard_cache, recommendation_log, metric_series, metric_points';
    await assert.rejects(exportTable(db, 'sqlite_schema' as TableName, 'csv', collectText().stream), {
      name: 'TypeError',
      message: `exportTable: unknown table "sqlite_schema"; the tables are ${allowed}`,
    });
    await assert.rejects(exportTable(db, 'skill_usage; DROP TABLE skill_usage' as TableName, 'csv', collectText().stream), TypeError);
    await assert.rejects(
      exportTable(db, 'skill_usage', 'xml' as 'csv', collectText().stream),
      /unknown format "xml"; the formats are csv, json, ndjson/,
    );
    await assert.rejects(
      exportTable(db, 'skill_usage', 'csv', collectText().stream, { where: '1=1' } as never),
      /there is no "where" option/,
    );
  });
});
