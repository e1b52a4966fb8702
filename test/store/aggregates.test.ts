import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, closeSync, copyFileSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { hourlyTotals, userDaysOf, userDayTotals } from '../../src/sqlite-exporter/exportTotals.js';
import { checkAggregates, rebuildAggregates } from '../../src/store/aggregates.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { applyRetention } from '../../src/store/retention.js';
import { APPLICATION_ID, HOURLY_TOTAL_COLUMNS, MIGRATIONS, SCHEMA_VERSION, USER_DAY_TOTAL_COLUMNS } from '../../src/store/schema.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { writeThroughExporter } from '../sqlite-exporter/fixtures/exporterFixture.js';
import { assertAggregatesMatchUsage } from '../sqlite-exporter/helpers/aggregates.js';
import { useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';
import { type Activity, activityRow, countRows, insertRow } from '../sqlite-exporter/helpers/rows.js';

/** The first 16 hex digits of the SHA-256 of migrations 1 to 3, as the files made by earlier versions had them. */
const PINNED_MIGRATIONS = ['7512bc724012627e', '026e69a5e0e14a2d', '94d33d009abd7b99'];

function select(db: Database.Database, sql: string): unknown[] {
  return db.prepare(sql).all();
}

describe('write-time aggregates', function () {
  this.timeout(60_000);
  let db: Database.Database;
  let writer: SqliteWriter;
  const write = (...rows: Activity[]) => writer.write({ usage: rows.map(activityRow), points: [] });

  beforeEach(() => {
    db = openAnalyticsDatabase(':memory:');
    writer = new SqliteWriter(db);
  });
  afterEach(() => db.close());

  it('adds up every column of the aggregate tables but their keys, org and links to earlier days', () => {
    const columns = (table: string) => db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all();
    assert.deepEqual(columns('skill_usage_hourly'), ['skill_id', 'org_id', 'agent_name', 'hour', ...HOURLY_TOTAL_COLUMNS]);
    assert.deepEqual(columns('skill_user_daily'), [
      'skill_id',
      'user_id',
      'day',
      'org_id',
      ...USER_DAY_TOTAL_COLUMNS,
      'prev_day',
      'prev_day_in_org',
    ]);
    assert.deepEqual(columns('skill_user_first'), ['skill_id', 'user_id', 'org_id', 'first_day']);
    assert.deepEqual(columns('user_daily'), ['day', 'user_id', 'org_id']);
  });

  describe('kept by the writer', () => {
    it('adds two exports in one hour into one hourly row, and the next hour into another', () => {
      write({ skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 10:00:10', calls: 2, failures: 1, latencyMs: 30 });
      write(
        { skill: 'web_search', user: 'bob', org: 'acme', at: '2026-03-10 10:59:50', calls: 3, latencyMs: 200 },
        { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 11:00:00', calls: 1, latencyMs: 30 },
      );
      assert.deepEqual(
        select(
          db,
          'SELECT skill_id, org_id, hour, execution_count, success_count, failure_count, latency_sum_ms, lat_le_50, lat_le_250, timeout_count FROM skill_usage_hourly ORDER BY hour',
        ),
        [
          {
            skill_id: 'web_search',
            org_id: 'acme',
            hour: '2026-03-10 10:00:00',
            execution_count: 5,
            success_count: 4,
            failure_count: 1,
            latency_sum_ms: 660,
            lat_le_50: 2,
            lat_le_250: 3,
            timeout_count: 1,
          },
          {
            skill_id: 'web_search',
            org_id: 'acme',
            hour: '2026-03-10 11:00:00',
            execution_count: 1,
            success_count: 1,
            failure_count: 0,
            latency_sum_ms: 30,
            lat_le_50: 1,
            lat_le_250: 0,
            timeout_count: 0,
          },
        ],
      );
      assert.deepEqual(
        select(db, 'SELECT user_id, day, org_id, execution_count, success_count, failure_count FROM skill_user_daily ORDER BY user_id'),
        [
          { user_id: 'alice', day: '2026-03-10', org_id: 'acme', execution_count: 3, success_count: 2, failure_count: 1 },
          { user_id: 'bob', day: '2026-03-10', org_id: 'acme', execution_count: 3, success_count: 3, failure_count: 0 },
        ],
      );
      assertAggregatesMatchUsage(db);
    });

    it('gives a user seen in two orgs on one day the org of their last row, and keeps the org of their first', () => {
      write({ skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 09:00:00', calls: 2 });
      write({ skill: 'web_search', user: 'alice', org: 'globex', at: '2026-03-10 15:00:00', ratings: [4] });
      // Two orgs within one export too (rows a retry buffer held): the later row wins.
      write(
        { skill: 'code_exec', user: 'alice', org: 'globex', at: '2026-03-10 16:00:00' },
        { skill: 'code_exec', user: 'alice', org: 'acme', at: '2026-03-10 16:00:10' },
      );
      assert.deepEqual(
        select(db, 'SELECT skill_id, org_id, hour, execution_count, rating_count FROM skill_usage_hourly ORDER BY hour, org_id'),
        [
          { skill_id: 'web_search', org_id: 'acme', hour: '2026-03-10 09:00:00', execution_count: 2, rating_count: 0 },
          { skill_id: 'web_search', org_id: 'globex', hour: '2026-03-10 15:00:00', execution_count: 1, rating_count: 1 },
          { skill_id: 'code_exec', org_id: 'acme', hour: '2026-03-10 16:00:00', execution_count: 1, rating_count: 0 },
          { skill_id: 'code_exec', org_id: 'globex', hour: '2026-03-10 16:00:00', execution_count: 1, rating_count: 0 },
        ],
      );
      assert.deepEqual(
        select(db, 'SELECT skill_id, org_id, execution_count, rating_count, rating_sum FROM skill_user_daily ORDER BY skill_id'),
        [
          { skill_id: 'code_exec', org_id: 'acme', execution_count: 2, rating_count: 0, rating_sum: 0 },
          { skill_id: 'web_search', org_id: 'globex', execution_count: 3, rating_count: 1, rating_sum: 4 },
        ],
      );
      assert.deepEqual(select(db, 'SELECT skill_id, org_id, first_day FROM skill_user_first ORDER BY skill_id'), [
        { skill_id: 'code_exec', org_id: 'globex', first_day: '2026-03-10' },
        { skill_id: 'web_search', org_id: 'acme', first_day: '2026-03-10' },
      ]);
      assertAggregatesMatchUsage(db);
    });

    it('keeps the earliest first day, with its org, whatever order the days arrive in', () => {
      write({ skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 12:00:00' });
      write({ skill: 'web_search', user: 'alice', org: 'globex', at: '2026-03-08 12:00:00' });
      write({ skill: 'web_search', user: 'alice', org: 'initech', at: '2026-03-09 12:00:00' });
      write(
        { skill: 'web_search', user: 'bob', org: 'acme', at: '2026-03-12 12:00:00' },
        { skill: 'web_search', user: 'bob', org: 'initech', at: '2026-03-07 12:00:00' },
        { skill: 'web_search', user: 'bob', org: 'globex', at: '2026-03-07 18:00:00' },
      );
      assert.deepEqual(select(db, 'SELECT user_id, org_id, first_day FROM skill_user_first ORDER BY user_id'), [
        { user_id: 'alice', org_id: 'globex', first_day: '2026-03-08' },
        { user_id: 'bob', org_id: 'initech', first_day: '2026-03-07' },
      ]);
      assert.equal(countRows(db, 'skill_user_daily'), 5);
      assertAggregatesMatchUsage(db);
    });

    it('links each day of a skill and user to the one before, whatever order the days arrive in, and lists each day and user once', () => {
      const alice = (skill: string, at: string): Activity => ({ skill, user: 'alice', org: 'acme', at });
      write(alice('web_search', '2026-03-05 10:00:00'), alice('web_search', '2026-03-09 10:00:00'));
      write(alice('web_search', '2026-03-07 10:00:00'));
      write(
        alice('web_search', '2026-03-03 10:00:00'),
        alice('code_exec', '2026-03-07 11:00:00'),
        alice('web_search', '2026-03-09 11:00:00'),
      );
      assert.deepEqual(select(db, 'SELECT skill_id, day, prev_day FROM skill_user_daily ORDER BY 1, 2'), [
        { skill_id: 'code_exec', day: '2026-03-07', prev_day: '' },
        { skill_id: 'web_search', day: '2026-03-03', prev_day: '' },
        { skill_id: 'web_search', day: '2026-03-05', prev_day: '2026-03-03' },
        { skill_id: 'web_search', day: '2026-03-07', prev_day: '2026-03-05' },
        { skill_id: 'web_search', day: '2026-03-09', prev_day: '2026-03-07' },
      ]);
      assert.deepEqual(db.prepare("SELECT day || ' ' || user_id FROM user_daily ORDER BY 1").pluck().all(), [
        '2026-03-03 alice',
        '2026-03-05 alice',
        '2026-03-07 alice',
        '2026-03-09 alice',
      ]);
      assertAggregatesMatchUsage(db);
    });

    it("moves a day whose org changes to that org's links, and out of the org it left in user_daily", () => {
      write(
        { skill: 'web_search', user: 'alice', org: 'globex', at: '2026-03-05 10:00:00' },
        { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-07 10:00:00' },
        { skill: 'code_exec', user: 'alice', org: 'acme', at: '2026-03-07 10:30:00' },
      );
      // Her last row of 2026-03-07 is in globex now: web_search's day follows it, code_exec's stays in acme.
      write({ skill: 'web_search', user: 'alice', org: 'globex', at: '2026-03-07 12:00:00' });
      assert.deepEqual(select(db, 'SELECT skill_id, day, org_id, prev_day, prev_day_in_org FROM skill_user_daily ORDER BY 1, 2'), [
        { skill_id: 'code_exec', day: '2026-03-07', org_id: 'acme', prev_day: '', prev_day_in_org: '' },
        { skill_id: 'web_search', day: '2026-03-05', org_id: 'globex', prev_day: '', prev_day_in_org: '' },
        { skill_id: 'web_search', day: '2026-03-07', org_id: 'globex', prev_day: '2026-03-05', prev_day_in_org: '2026-03-05' },
      ]);
      write({ skill: 'code_exec', user: 'alice', org: 'globex', at: '2026-03-07 13:00:00' });
      assert.deepEqual(db.prepare("SELECT day || ' ' || org_id FROM user_daily ORDER BY 1").pluck().all(), [
        '2026-03-05 globex',
        '2026-03-07 globex',
      ]);
      assertAggregatesMatchUsage(db);
    });

    it("counts calls without a user or org in the hourly rows only, under org ''", () => {
      write(
        { skill: 'send_email', at: '2026-03-10 10:00:00', calls: 4, installs: 1 },
        { skill: 'send_email', org: 'acme', at: '2026-03-10 10:00:00', calls: 1 },
      );
      assert.deepEqual(select(db, 'SELECT org_id, execution_count, install_count FROM skill_usage_hourly ORDER BY org_id'), [
        { org_id: '', execution_count: 4, install_count: 1 },
        { org_id: 'acme', execution_count: 1, install_count: 0 },
      ]);
      assert.deepEqual([countRows(db, 'skill_user_daily'), countRows(db, 'skill_user_first')], [0, 0]);
      assertAggregatesMatchUsage(db);
    });

    it('adds up an export in memory first: 10,000 rows make one upsert per skill, org and hour (and per skill, user and day)', () => {
      const rows = Array.from({ length: 10_000 }, (_, i) =>
        activityRow({
          skill: `skill_${i % 3}`,
          user: `user_${i % 50}`,
          org: `org_${i % 2}`,
          at: `2026-03-10 10:${String(i % 60).padStart(2, '0')}:00`,
          calls: 1 + (i % 4),
        }),
      );
      assert.equal(hourlyTotals(rows).length, 6);
      assert.equal(userDayTotals(rows).length, 150);
      const days = userDaysOf(userDayTotals(rows));
      assert.deepEqual([days.earliest, days.users.length, days.orgs.length], ['2026-03-10', 50, 50]);
      writer.write({ usage: rows, points: [] });
      assert.equal(countRows(db, 'skill_usage_hourly'), 6);
      assert.equal(db.prepare('SELECT sum(execution_count) FROM skill_usage_hourly').pluck().get(), 25_000);
      assertAggregatesMatchUsage(db);
    });

    it('adds nothing when an export fails, and everything once when it is written again', () => {
      const rows = [
        { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 10:00:00', calls: 2 },
        { skill: 'web_search', user: 'bob', at: '2026-03-10 10:00:00', calls: 1 },
      ];
      db.exec("CREATE TRIGGER refuse BEFORE INSERT ON skill_user_first BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
      assert.throws(() => write(...rows), /disk on fire/);
      for (const table of ['skill_usage', 'skill_usage_hourly', 'skill_user_daily', 'skill_user_first'])
        assert.equal(countRows(db, table), 0, table);
      db.exec('DROP TRIGGER refuse');
      write(...rows);
      assert.equal(db.prepare('SELECT sum(execution_count) FROM skill_usage_hourly').pluck().get(), 3);
      assertAggregatesMatchUsage(db);
    });

    it('equal GROUP BYs over skill_usage for any exports (property)', () => {
      const activity = fc.record({
        skill: fc.constantFrom('a', 'b', 'c'),
        user: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: undefined }),
        org: fc.option(fc.constantFrom('o1', 'o2'), { nil: undefined }),
        at: fc
          .integer({ min: 0, max: 4 * 24 * 6 - 1 })
          .map((tenMinutes) => new Date(Date.UTC(2026, 2, 8) + tenMinutes * 600_000).toISOString().slice(0, 19).replace('T', ' ')),
        calls: fc.integer({ min: 1, max: 5 }),
        latencyMs: fc.constantFrom(0.5, 3, 40, 120.25, 70_000),
        ratings: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }),
        installs: fc.integer({ min: 0, max: 2 }),
      });
      fc.assert(
        fc.property(fc.array(fc.array(activity, { maxLength: 12 }), { minLength: 1, maxLength: 5 }), (exports) => {
          const fresh = openAnalyticsDatabase(':memory:');
          try {
            const freshWriter = new SqliteWriter(fresh);
            for (const rows of exports)
              freshWriter.write({ usage: rows.map((row) => activityRow({ ...row, failures: row.calls > 2 ? 1 : 0 })), points: [] });
            assertAggregatesMatchUsage(fresh);
          } finally {
            fresh.close();
          }
        }),
        { numRuns: 60 },
      );
    });
  });

  describe('through the real pipeline', () => {
    const tmp = useTempDirectory();

    it('equal GROUP BYs over the rows startAnalytics wrote, over 400 days of calls, ratings and installs', async () => {
      const path = join(tmp(), 'analytics.db');
      await writeThroughExporter(path, Date.parse('2026-03-10T12:00:00Z'));
      const file = openAnalyticsDatabase(path, { readonly: true });
      try {
        assert.ok(countRows(file, 'skill_usage_hourly') > 10);
        assert.equal(
          file.prepare('SELECT count(*) FROM skill_user_first').pluck().get(),
          6,
          'alice, bob and carol with the skills each used',
        );
        assertAggregatesMatchUsage(file);
      } finally {
        file.close();
      }
    });

    it('stay exact while several processes write one file at once', async () => {
      const path = join(tmp(), 'shared.db');
      const app = fileURLToPath(new URL('../fixtures/sqliteWriterApp.js', import.meta.url));
      const writers = 4;
      const calls = 300;
      const runs = Array.from({ length: writers }, async (_, index) => {
        const child = spawn(process.execPath, [app], {
          env: {
            PATH: process.env['PATH'] ?? '',
            HOME: tmp(),
            ANALYTICS_DB_PATH: path,
            ANALYTICS_DB_FLUSH_INTERVAL: '0.02',
            CALLS: String(calls),
            WRITER: `w${index}`,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const [code] = (await once(child, 'exit')) as [number | null];
        assert.equal(code, 0, output);
      });
      await Promise.all(runs);
      const file = openAnalyticsDatabase(path, { readonly: true });
      try {
        assert.ok(countRows(file, 'skill_usage') > writers, 'many exports');
        assert.deepEqual(
          select(file, 'SELECT org_id, sum(execution_count) AS calls FROM skill_usage_hourly GROUP BY org_id ORDER BY org_id'),
          Array.from({ length: writers }, (_, index) => ({ org_id: `w${index}`, calls })),
        );
        assert.equal(countRows(file, 'skill_user_first'), writers * 7 * 3, 'every user used every skill');
        assertAggregatesMatchUsage(file);
      } finally {
        file.close();
      }
    });
  });

  describe('migration from version 1', () => {
    const tmp = useTempDirectory();

    /** A database as toolweaver-analytics 0.1.0 left it: schema version 1, with rows, mode 0600 as it creates its files. */
    function makeVersion1Database(path: string, rows: Record<string, unknown>[]): void {
      closeSync(openSync(path, 'wx', 0o600));
      const old = new Database(path);
      old.pragma('journal_mode = WAL');
      old.transaction(() => {
        old.exec(MIGRATIONS[0]!);
        old.pragma(`application_id = ${APPLICATION_ID}`);
        old
          .prepare('INSERT INTO toolweaver_meta (key, value) VALUES (?, ?), (?, ?)')
          .run('created_at', '2026-01-01 00:00:00', 'package_version', '0.1.0');
        old.pragma('user_version = 1');
        for (const row of rows) insertRow(old, 'skill_usage', row);
      })();
      old.close();
    }

    const raw = (
      skill_id: string,
      user_id: string | null,
      org_id: string | null,
      timestamp: string,
      execution_count: number,
      extra: Record<string, unknown> = {},
    ) => ({
      skill_id,
      user_id,
      org_id,
      timestamp,
      interval_start: timestamp,
      execution_count,
      success_count: execution_count,
      latency_sum_ms: 12.5 * execution_count,
      lat_le_25: execution_count,
      ...extra,
    });

    it("keeps version 1's SQL byte for byte as released, so databases made by 0.1.0 migrate", () => {
      assert.equal(
        createHash('sha256').update(MIGRATIONS[0]!).digest('hex'),
        '7512bc724012627e5979c445a68d044df3635307d5937e5c4f4ee0ae79b93b9e',
      );
    });

    it('fills the aggregates from the rows already there, in the migration', () => {
      const path = join(tmp(), 'old.db');
      makeVersion1Database(path, [
        raw('web_search', 'alice', 'acme', '2026-03-09 10:00:00', 2),
        raw('web_search', 'alice', 'globex', '2026-03-09 10:30:00', 1, { rating_count: 1, rating_sum: 5 }),
        raw('web_search', 'alice', 'acme', '2026-03-10 08:00:00', 4),
        raw('web_search', 'bob', 'acme', '2026-03-09 10:45:00', 3, { install_count: 1 }),
        raw('web_search', null, null, '2026-03-09 10:50:00', 6),
        raw('web_search', null, 'acme', '2026-03-09 11:00:00', 7, { overflow: 1 }),
        raw('code_exec', 'alice', 'acme', '2026-03-08 23:59:59', 1, { failure_count: 1, success_count: 0, timeout_count: 1 }),
      ]);
      const migrated = openAnalyticsDatabase(path);
      try {
        assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        assert.deepEqual(
          select(
            migrated,
            'SELECT skill_id, org_id, hour, execution_count, latency_sum_ms, lat_le_25, rating_sum, install_count FROM skill_usage_hourly ORDER BY hour, org_id',
          ),
          [
            {
              skill_id: 'code_exec',
              org_id: 'acme',
              hour: '2026-03-08 23:00:00',
              execution_count: 1,
              latency_sum_ms: 12.5,
              lat_le_25: 1,
              rating_sum: 0,
              install_count: 0,
            },
            {
              skill_id: 'web_search',
              org_id: '',
              hour: '2026-03-09 10:00:00',
              execution_count: 6,
              latency_sum_ms: 75,
              lat_le_25: 6,
              rating_sum: 0,
              install_count: 0,
            },
            {
              skill_id: 'web_search',
              org_id: 'acme',
              hour: '2026-03-09 10:00:00',
              execution_count: 5,
              latency_sum_ms: 62.5,
              lat_le_25: 5,
              rating_sum: 0,
              install_count: 1,
            },
            {
              skill_id: 'web_search',
              org_id: 'globex',
              hour: '2026-03-09 10:00:00',
              execution_count: 1,
              latency_sum_ms: 12.5,
              lat_le_25: 1,
              rating_sum: 5,
              install_count: 0,
            },
            {
              skill_id: 'web_search',
              org_id: 'acme',
              hour: '2026-03-09 11:00:00',
              execution_count: 7,
              latency_sum_ms: 87.5,
              lat_le_25: 7,
              rating_sum: 0,
              install_count: 0,
            },
            {
              skill_id: 'web_search',
              org_id: 'acme',
              hour: '2026-03-10 08:00:00',
              execution_count: 4,
              latency_sum_ms: 50,
              lat_le_25: 4,
              rating_sum: 0,
              install_count: 0,
            },
          ],
        );
        assert.deepEqual(
          select(
            migrated,
            'SELECT skill_id, user_id, day, org_id, execution_count, failure_count, rating_count FROM skill_user_daily ORDER BY 1, 2, 3',
          ),
          [
            {
              skill_id: 'code_exec',
              user_id: 'alice',
              day: '2026-03-08',
              org_id: 'acme',
              execution_count: 1,
              failure_count: 1,
              rating_count: 0,
            },
            {
              skill_id: 'web_search',
              user_id: 'alice',
              day: '2026-03-09',
              org_id: 'globex',
              execution_count: 3,
              failure_count: 0,
              rating_count: 1,
            },
            {
              skill_id: 'web_search',
              user_id: 'alice',
              day: '2026-03-10',
              org_id: 'acme',
              execution_count: 4,
              failure_count: 0,
              rating_count: 0,
            },
            {
              skill_id: 'web_search',
              user_id: 'bob',
              day: '2026-03-09',
              org_id: 'acme',
              execution_count: 3,
              failure_count: 0,
              rating_count: 0,
            },
          ],
        );
        assert.deepEqual(select(migrated, 'SELECT skill_id, user_id, org_id, first_day FROM skill_user_first ORDER BY 1, 2'), [
          { skill_id: 'code_exec', user_id: 'alice', org_id: 'acme', first_day: '2026-03-08' },
          { skill_id: 'web_search', user_id: 'alice', org_id: 'acme', first_day: '2026-03-09' },
          { skill_id: 'web_search', user_id: 'bob', org_id: 'acme', first_day: '2026-03-09' },
        ]);
        // Version 3 closes every day before the latest one: 03-08 and 03-09 come from the hours.
        assert.equal(migrated.prepare("SELECT value FROM toolweaver_meta WHERE key = 'by_day_through'").pluck().get(), '2026-03-09');
        assert.deepEqual(
          select(
            migrated,
            'SELECT skill_id, org_id, day, execution_count, rating_sum, install_count FROM skill_usage_by_day ORDER BY day, org_id',
          ),
          [
            { skill_id: 'code_exec', org_id: 'acme', day: '2026-03-08', execution_count: 1, rating_sum: 0, install_count: 0 },
            { skill_id: 'web_search', org_id: '', day: '2026-03-09', execution_count: 6, rating_sum: 0, install_count: 0 },
            { skill_id: 'web_search', org_id: 'acme', day: '2026-03-09', execution_count: 12, rating_sum: 0, install_count: 1 },
            { skill_id: 'web_search', org_id: 'globex', day: '2026-03-09', execution_count: 1, rating_sum: 5, install_count: 0 },
          ],
        );
        assertAggregatesMatchUsage(migrated);
        // And the writer carries on from there.
        new SqliteWriter(migrated).write({
          usage: [activityRow({ skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 08:30:00', calls: 2 })],
          points: [],
        });
        assert.equal(
          migrated.prepare("SELECT execution_count FROM skill_usage_hourly WHERE hour = '2026-03-10 08:00:00'").pluck().get(),
          6,
        );
        assertAggregatesMatchUsage(migrated);
      } finally {
        migrated.close();
      }
    });

    it('migrates an empty version 1 database to empty aggregates', () => {
      const path = join(tmp(), 'empty.db');
      makeVersion1Database(path, []);
      const migrated = openAnalyticsDatabase(path);
      try {
        assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        for (const table of ['skill_usage_hourly', 'skill_usage_by_day', 'skill_user_daily', 'skill_user_first'])
          assert.equal(countRows(migrated, table), 0, table);
        assert.equal(migrated.prepare("SELECT value FROM toolweaver_meta WHERE key = 'by_day_through'").pluck().get(), undefined);
      } finally {
        migrated.close();
      }
    });
  });

  describe('migration from version 3', () => {
    const tmp = useTempDirectory();
    /**
     * A real file of schema version 3, made by the release before version 4 (commit 3723724): four
     * days of calls of three users written by its SqliteWriter, rebuildAggregates run once (so
     * aggregates_generation is set), a usage leaderboard and a recommendation for carol computed
     * (so leaderboard_cache and co_usage_cache hold rows), then closed as a stopped application
     * leaves it (journal_mode DELETE).
     */
    const FIXTURE = fileURLToPath(new URL('../../../test/store/fixtures/schema-v3.sqlite', import.meta.url));

    it('drops the read-time caches and what only they needed, keeping every aggregate and the log', () => {
      const path = join(tmp(), 'analytics.db');
      copyFileSync(FIXTURE, path);
      chmodSync(path, 0o600);
      const old = new Database(path, { readonly: true });
      const tables = (db: Database.Database) =>
        db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      const before = {
        tables: tables(old),
        version: old.pragma('user_version', { simple: true }),
        counts: ['leaderboard_cache', 'co_usage_cache', 'recommendation_log'].map((table) => countRows(old, table)),
      };
      const kept = [
        'skill_usage',
        'skill_usage_hourly',
        'skill_usage_by_day',
        'skill_user_daily',
        'user_daily',
        'skill_user_first',
        'skill_metrics',
        'recommendation_log',
      ];
      const keptRows = kept.map((table) => select(old, `SELECT * FROM ${table} ORDER BY 1, 2, 3`));
      old.close();
      assert.deepEqual(before.version, 3);
      assert.ok(before.tables.includes('co_usage_cache'));
      assert.deepEqual(before.counts, [3, 7, 1], 'the fixture has cached boards, cached co-usage and a logged recommendation');

      const migrated = openAnalyticsDatabase(path);
      try {
        assert.equal(migrated.pragma('user_version', { simple: true }), SCHEMA_VERSION);
        assert.deepEqual(
          tables(migrated),
          [...(before.tables as string[]).filter((table) => table !== 'co_usage_cache'), 'skill_call_rating'].sort(),
        );
        assert.equal(countRows(migrated, 'leaderboard_cache'), 0, 'the boards earlier versions cached are gone');
        // Version 5 gives the rows of skill_usage and of the aggregates keyed by time the agent '' (none).
        const withoutAgent = (rows: unknown[]) =>
          rows.map((row) => {
            const { agent_name: agent, ...rest } = row as Record<string, unknown>;
            assert.ok(agent === undefined || agent === '', `agent_name is ${String(agent)}`);
            return rest;
          });
        assert.deepEqual(
          kept.map((table) => withoutAgent(select(migrated, `SELECT * FROM ${table} ORDER BY 1, 2, 3`))),
          keptRows,
        );
        assert.deepEqual(migrated.prepare('SELECT key FROM toolweaver_meta ORDER BY key').pluck().all(), [
          'by_day_through',
          'created_at',
          'package_version',
        ]);
        assert.deepEqual(checkAggregates(migrated), { ok: true, problems: [] });
        // The writer goes on where the old one stopped.
        new SqliteWriter(migrated).write({
          usage: [activityRow({ skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-11 08:30:00', calls: 2 })],
          points: [],
        });
        assertAggregatesMatchUsage(migrated);
        assert.equal(migrated.prepare("SELECT value FROM toolweaver_meta WHERE key = 'by_day_through'").pluck().get(), '2026-03-10');
      } finally {
        migrated.close();
      }
    });

    it("keeps versions 1 to 3's SQL byte for byte, so files made before migrate", () => {
      assert.deepEqual(
        MIGRATIONS.slice(0, 3).map((sql) => createHash('sha256').update(sql).digest('hex').slice(0, 16)),
        PINNED_MIGRATIONS,
      );
    });
  });

  describe('retention', () => {
    it('prunes the hourly and per-user daily rows with the raw rows of the same days, and keeps first days', () => {
      write(
        { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-02-07 23:59:59' },
        { skill: 'web_search', user: 'bob', org: 'acme', at: '2026-02-08 00:00:00' },
        { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-10 11:00:00', calls: 3 },
      );
      const { cutoff, deleted } = applyRetention(db, { retentionDays: 30, now: Date.parse('2026-03-10T12:00:00Z') });
      assert.equal(cutoff, '2026-02-08');
      assert.deepEqual([deleted.skill_usage, deleted.skill_usage_hourly, deleted.skill_user_daily], [1, 1, 1]);
      assert.deepEqual(select(db, 'SELECT hour FROM skill_usage_hourly ORDER BY hour'), [
        { hour: '2026-02-08 00:00:00' },
        { hour: '2026-03-10 11:00:00' },
      ]);
      assert.deepEqual(select(db, 'SELECT user_id, first_day FROM skill_user_first ORDER BY user_id'), [
        { user_id: 'alice', first_day: '2026-02-07' },
        { user_id: 'bob', first_day: '2026-02-08' },
      ]);
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] }, 'a first day older than every raw row is history, not a problem');
      // Alice's next call does not move her first day forward.
      write({ skill: 'web_search', user: 'alice', org: 'globex', at: '2026-03-10 11:30:00' });
      assert.equal(db.prepare("SELECT first_day FROM skill_user_first WHERE user_id = 'alice'").pluck().get(), '2026-02-07');
      assert.equal(checkAggregates(db).ok, true);
    });
  });

  describe('retention of the prev_day links', () => {
    it("leaves a skill and user's first day kept with no day before it, and checks out", () => {
      const alice = (at: string): Activity => ({ skill: 'web_search', user: 'alice', org: 'acme', at });
      write(alice('2026-02-01 10:00:00'), alice('2026-02-05 10:00:00'), alice('2026-02-10 10:00:00'), alice('2026-03-10 10:00:00'));
      write({ skill: 'web_search', user: 'bob', at: '2026-02-05 10:00:00' });
      applyRetention(db, { retentionDays: 30, now: Date.parse('2026-03-10T12:00:00Z') });
      assert.deepEqual(select(db, 'SELECT user_id, day, prev_day FROM skill_user_daily ORDER BY 1, 2'), [
        { user_id: 'alice', day: '2026-02-10', prev_day: '' },
        { user_id: 'alice', day: '2026-03-10', prev_day: '2026-02-10' },
      ]);
      assert.deepEqual(db.prepare("SELECT day || ' ' || user_id FROM user_daily ORDER BY 1").pluck().all(), [
        '2026-02-10 alice',
        '2026-03-10 alice',
      ]);
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    });
  });

  describe('checkAggregates and rebuildAggregates', () => {
    beforeEach(() =>
      write(
        { skill: 'web_search', user: 'alice', org: 'acme', at: '2026-03-09 10:00:00', calls: 2 },
        { skill: 'web_search', user: 'bob', org: 'acme', at: '2026-03-10 10:00:00', calls: 3 },
        { skill: 'code_exec', user: 'alice', org: 'acme', at: '2026-03-10 11:00:00', calls: 1 },
      ),
    );

    it('names every aggregate row that disagrees with skill_usage, and rebuild puts them right', () => {
      db.exec("UPDATE skill_usage_hourly SET execution_count = 9, latency_sum_ms = latency_sum_ms + 1 WHERE hour = '2026-03-10 10:00:00'");
      db.exec("DELETE FROM skill_user_daily WHERE user_id = 'bob'");
      db.exec(
        "INSERT INTO skill_user_daily (skill_id, user_id, day, org_id, execution_count) VALUES ('send_email', 'carol', '2026-03-10', 'acme', 1)",
      );
      db.exec("UPDATE skill_user_first SET first_day = '2026-03-10' WHERE skill_id = 'web_search' AND user_id = 'alice'");
      db.exec("UPDATE skill_user_first SET org_id = 'globex' WHERE skill_id = 'code_exec'");
      const report = checkAggregates(db);
      assert.equal(report.ok, false);
      assert.deepEqual([...report.problems].sort(), [
        'skill_usage_hourly (skill_id="web_search", org_id="acme", hour="2026-03-10 10:00:00", agent_name=""): execution_count is 9, skill_usage says 3; latency_sum_ms is 91, skill_usage says 90',
        'skill_user_daily (skill_id="send_email", user_id="carol", day="2026-03-10"): skill_usage has no rows for it',
        'skill_user_daily (skill_id="web_search", user_id="bob", day="2026-03-10"): missing, though skill_usage has rows for it',
        'skill_user_first (skill_id="code_exec", user_id="alice"): org_id is "globex", skill_usage says "acme"',
        'skill_user_first (skill_id="web_search", user_id="alice"): first_day is "2026-03-10", skill_usage says "2026-03-09"',
        // user_daily follows skill_user_daily, which was edited by hand.
        'user_daily (day="2026-03-10", user_id="bob", org_id="acme"): skill_user_daily has no rows for it',
        'user_daily (day="2026-03-10", user_id="carol", org_id="acme"): missing, though skill_user_daily has rows for it',
      ]);
      assert.deepEqual(rebuildAggregates(db), {
        from: '2026-03-09',
        skill_usage_hourly: 3,
        skill_usage_by_day: 1,
        skill_user_daily: 3,
        skill_user_first: 3,
        user_daily: 3,
      });
      assertAggregatesMatchUsage(db);
    });

    it('names a wrong prev_day and a wrong user_daily row, and rebuild puts them right', () => {
      db.exec("UPDATE skill_user_daily SET prev_day = '2026-03-01' WHERE skill_id = 'web_search' AND user_id = 'alice'");
      db.exec("DELETE FROM user_daily WHERE user_id = 'bob'");
      db.exec("INSERT INTO user_daily (day, user_id) VALUES ('2026-03-10', 'mallory')");
      assert.deepEqual([...checkAggregates(db).problems].sort(), [
        'skill_user_daily (skill_id="web_search", user_id="alice", day="2026-03-09"): prev_day is "2026-03-01", skill_user_daily says ""',
        'user_daily (day="2026-03-10", user_id="bob", org_id="acme"): missing, though skill_user_daily has rows for it',
        'user_daily (day="2026-03-10", user_id="mallory", org_id=""): skill_user_daily has no rows for it',
      ]);
      assert.deepEqual(rebuildAggregates(db), {
        from: '2026-03-09',
        skill_usage_hourly: 3,
        skill_usage_by_day: 1,
        skill_user_daily: 3,
        skill_user_first: 3,
        user_daily: 3,
      });
      assertAggregatesMatchUsage(db);
    });

    it("accepts the guide's DELETE of old raw rows (those days are out of reach), and rebuild keeps them", () => {
      db.exec("DELETE FROM skill_usage WHERE timestamp < '2026-03-10'");
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
      rebuildAggregates(db);
      assert.equal(db.prepare("SELECT execution_count FROM skill_usage_hourly WHERE hour = '2026-03-09 10:00:00'").pluck().get(), 2);
      assert.equal(
        db.prepare("SELECT first_day FROM skill_user_first WHERE skill_id = 'web_search' AND user_id = 'alice'").pluck().get(),
        '2026-03-09',
      );
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    });

    it('finds rows deleted by hand from skill_usage within the days it holds, and rebuild follows them', () => {
      db.exec("DELETE FROM skill_usage WHERE user_id = 'bob'");
      assert.deepEqual(checkAggregates(db).problems, [
        'skill_usage_hourly (skill_id="web_search", org_id="acme", hour="2026-03-10 10:00:00", agent_name=""): skill_usage has no rows for it',
        'skill_user_daily (skill_id="web_search", user_id="bob", day="2026-03-10"): skill_usage has no rows for it',
        'skill_user_first (skill_id="web_search", user_id="bob"): skill_usage has no rows for it',
      ]);
      rebuildAggregates(db);
      assertAggregatesMatchUsage(db);
      assert.equal(countRows(db, 'skill_user_first'), 2);
    });

    it('has nothing to check or rebuild without skill_usage rows', () => {
      db.exec('DELETE FROM skill_usage');
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
      assert.deepEqual(rebuildAggregates(db), {
        from: null,
        skill_usage_hourly: 0,
        skill_usage_by_day: 0,
        skill_user_daily: 0,
        skill_user_first: 0,
        user_daily: 0,
      });
      assert.equal(countRows(db, 'skill_user_first'), 3);
    });
  });
});
