import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import sinon from 'sinon';
import { checkAggregates, rebuildAggregates } from '../../src/store/aggregates.js';
import { getMeta } from '../../src/store/meta.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { additiveColumns, applyRetention, RETENTION_INTERVAL_MS, scheduleRetention } from '../../src/store/retention.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../../src/instruments/perCallColumns.js';
import { sqliteTime } from '../../src/store/schema.js';
import { countRows, insertRow } from '../sqlite-exporter/helpers/rows.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
/** date('2026-03-10 12:00:00', '-30 days') */
const CUTOFF = '2026-02-08';

/** Every column skill_usage_daily sums, in schema order. */
const ADDITIVE = [
  'execution_count',
  'success_count',
  'failure_count',
  'latency_sum_ms',
  ...LATENCY_BUCKET_COLUMNS,
  ...ERROR_COLUMNS,
  'rating_count',
  'rating_sum',
  'install_count',
];

/** A skill_usage row whose additive column number j holds base × (j + 1), latency_sum_ms a quarter more. */
function usage(
  db: Database.Database,
  skillId: string,
  userId: string | null,
  orgId: string | null,
  timestamp: string,
  base: number,
  overflow = 0,
): number {
  const row: Record<string, unknown> = {
    skill_id: skillId,
    user_id: userId,
    org_id: orgId,
    timestamp,
    interval_start: timestamp,
    overflow,
  };
  ADDITIVE.forEach((column, j) => (row[column] = base * (j + 1) + (column === 'latency_sum_ms' ? 0.25 : 0)));
  return insertRow(db, 'skill_usage', row);
}

/** The daily row expected from raw rows whose bases add up to `bases`, `rows` of them. */
function daily(skillId: string, orgId: string, day: string, bases: number, rows: number, distinctUsers: number): Record<string, unknown> {
  const row: Record<string, unknown> = { skill_id: skillId, org_id: orgId, day };
  ADDITIVE.forEach((column, j) => (row[column] = bases * (j + 1) + (column === 'latency_sum_ms' ? 0.25 * rows : 0)));
  row['distinct_users'] = distinctUsers;
  return row;
}

function dailyRows(db: Database.Database): unknown[] {
  return db
    .prepare(`SELECT skill_id, org_id, day, ${ADDITIVE.join(', ')}, distinct_users FROM skill_usage_daily ORDER BY day, skill_id, org_id`)
    .all();
}

function remainingIds(db: Database.Database, table = 'skill_usage'): number[] {
  return db.prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as number[];
}

describe('retention', () => {
  let db: Database.Database;
  beforeEach(() => (db = openAnalyticsDatabase(':memory:')));
  afterEach(() => {
    sinon.restore();
    if (db.open) db.close();
  });

  /** Rows around the cutoff day 2026-02-08 of a 30-day retention at NOW. */
  function insertFixture(): void {
    usage(db, 'web_search', 'u1', 'acme', '2026-02-07 23:59:59', 1);
    usage(db, 'web_search', 'u2', 'acme', '2026-02-07 00:00:00', 2);
    usage(db, 'web_search', 'u1', 'acme', '2026-02-07 12:00:00', 3);
    usage(db, 'web_search', null, 'acme', '2026-02-07 13:00:00', 4);
    usage(db, 'web_search', null, 'acme', '2026-02-07 14:00:00', 5, 1);
    usage(db, 'web_search', 'u1', null, '2026-02-06 10:00:00', 6);
    usage(db, 'code_exec', 'u3', 'acme', '2026-02-06 10:00:00', 7);
    usage(db, 'web_search', 'u4', 'acme', '2026-02-08 00:00:00', 8);
    usage(db, 'web_search', 'u5', 'acme', '2026-03-10 11:00:00', 9);
  }

  it('sums exactly the columns the schema shares between skill_usage and skill_usage_daily', () => {
    assert.deepEqual(additiveColumns(db), ADDITIVE);
  });

  it('rolls old rows up per skill, org and day, then deletes them, and counts what it did', () => {
    insertFixture();
    const result = applyRetention(db, { retentionDays: 30, now: NOW });
    assert.deepEqual(result, {
      cutoff: CUTOFF,
      rolledUpRows: 7,
      dailyRows: 3,
      deleted: {
        skill_usage: 7,
        skill_usage_hourly: 0,
        skill_usage_by_day: 0,
        user_daily: 0,
        skill_user_daily: 0,
        metric_points: 0,
        recommendation_log: 0,
        leaderboard_cache: 0,
        skill_call_rating: 0,
      },
    });
    assert.deepEqual(dailyRows(db), [
      daily('code_exec', 'acme', '2026-02-06', 7, 1, 1),
      daily('web_search', '', '2026-02-06', 6, 1, 1),
      // u1 twice, u2, a call outside withContext and an overflow row: two users.
      daily('web_search', 'acme', '2026-02-07', 1 + 2 + 3 + 4 + 5, 5, 2),
    ]);
    assert.deepEqual(remainingIds(db), [8, 9]);
  });

  it("cuts at the same day boundary as the guide's DELETE ... WHERE timestamp < date('now', '-N days')", () => {
    insertFixture();
    const guideWouldDelete = db
      .prepare("SELECT id FROM skill_usage WHERE timestamp < date(?, '-30 days') ORDER BY id")
      .pluck()
      .all(sqliteTime(NOW));
    const before = remainingIds(db);
    applyRetention(db, { retentionDays: 30, now: NOW });
    assert.deepEqual(
      before.filter((id) => !remainingIds(db).includes(id)),
      guideWouldDelete,
    );
    assert.deepEqual(guideWouldDelete, [1, 2, 3, 4, 5, 6, 7]);
  });

  it('keeps the whole cutoff day: one day of retention at noon keeps yesterday from midnight', () => {
    usage(db, 'web_search', 'u1', 'acme', '2026-03-08 23:59:59', 1);
    usage(db, 'web_search', 'u1', 'acme', '2026-03-09 00:00:00', 1);
    assert.equal(applyRetention(db, { retentionDays: 1, now: NOW }).cutoff, '2026-03-09');
    assert.deepEqual(remainingIds(db), [2]);
  });

  it('adds a later run for a day already rolled up to its sums, and keeps the larger distinct-user count', () => {
    usage(db, 'web_search', 'u1', 'acme', '2026-02-07 10:00:00', 1);
    usage(db, 'web_search', 'u2', 'acme', '2026-02-07 11:00:00', 2);
    applyRetention(db, { retentionDays: 30, now: NOW });
    // Rows for that day written late, as after a clock jump: u1 again and a new user.
    usage(db, 'web_search', 'u1', 'acme', '2026-02-07 20:00:00', 10);
    usage(db, 'web_search', 'u9', 'acme', '2026-02-07 21:00:00', 20);
    usage(db, 'web_search', 'u8', 'acme', '2026-02-07 22:00:00', 30);
    const second = applyRetention(db, { retentionDays: 30, now: NOW });
    assert.equal(second.rolledUpRows, 3);
    assert.equal(second.dailyRows, 1);
    // Counts add up exactly; the users of the first run are gone, so the day shows max(2, 3) = 3
    // (u1, u2, u8, u9 were 4): an undercount, never an overcount.
    assert.deepEqual(dailyRows(db), [daily('web_search', 'acme', '2026-02-07', 63, 5, 3)]);
  });

  it('prunes the hourly and per-user daily aggregates of the same days, and keeps every first day', () => {
    insertFixture();
    rebuildAggregates(db);
    const counts = () => ['skill_usage_hourly', 'skill_user_daily', 'user_daily', 'skill_user_first'].map((table) => countRows(db, table));
    assert.deepEqual(counts(), [9, 6, 6, 5]);
    const { deleted } = applyRetention(db, { retentionDays: 30, now: NOW });
    assert.deepEqual([deleted.skill_usage_hourly, deleted.skill_user_daily, deleted.user_daily], [7, 4, 4]);
    assert.deepEqual(db.prepare('SELECT hour FROM skill_usage_hourly ORDER BY hour').pluck().all(), [
      '2026-02-08 00:00:00',
      '2026-03-10 11:00:00',
    ]);
    // Closed by the rebuild: the days before the latest one; those before the cutoff day go.
    assert.deepEqual(
      db.prepare('SELECT day FROM skill_usage_by_day ORDER BY day').pluck().all(),
      ['2026-02-08'],
      'the day rows go with their hours',
    );
    assert.ok(deleted.skill_usage_by_day > 0);
    assert.deepEqual(db.prepare('SELECT day FROM skill_user_daily ORDER BY day').pluck().all(), ['2026-02-08', '2026-03-10']);
    assert.deepEqual(db.prepare("SELECT day || ' ' || user_id FROM user_daily ORDER BY 1").pluck().all(), [
      '2026-02-08 u4',
      '2026-03-10 u5',
    ]);
    assert.deepEqual(db.prepare("SELECT skill_id || ' ' || user_id || ' ' || first_day FROM skill_user_first ORDER BY 1").pluck().all(), [
      'code_exec u3 2026-02-06',
      'web_search u1 2026-02-06',
      'web_search u2 2026-02-07',
      'web_search u4 2026-02-08',
      'web_search u5 2026-03-10',
    ]);
    assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
  });

  it('deletes old metric points, recommendations, leaderboards and ratings of calls, by their own time columns', () => {
    const series = insertRow(db, 'metric_series', {
      name: 'm',
      type: 'sum',
      temporality: 'cumulative',
      scope_name: 's',
      attributes: '{}',
      first_seen: '2026-01-01 00:00:00',
      last_seen: '2026-03-10 00:00:00',
    });
    for (const timestamp of ['2026-02-07 23:59:59', '2026-02-08 00:00:00']) {
      insertRow(db, 'metric_points', { series_id: series, start_time: '2026-01-01 00:00:00', timestamp, value: 1 });
      insertRow(db, 'recommendation_log', { user_id: 'u1', recommended_skill_id: 'web_search', score: 0.5, timestamp });
      insertRow(db, 'leaderboard_cache', {
        metric_type: 'usage',
        time_window: '7d',
        rank: 1,
        skill_id: 'web_search',
        score: 1,
        computed_at: timestamp,
      });
      // Counted before the cutoff, rated again after it: it goes with the rows it is counted in.
      insertRow(db, 'skill_call_rating', {
        call_id: `call ${timestamp}`,
        skill_id: 'web_search',
        stars: 4,
        rated_at: '2026-03-01 00:00:00',
        counted_at: timestamp,
      });
    }
    const { deleted } = applyRetention(db, { retentionDays: 30, now: NOW });
    assert.deepEqual(deleted, {
      skill_usage: 0,
      skill_usage_hourly: 0,
      skill_usage_by_day: 0,
      user_daily: 0,
      skill_user_daily: 0,
      metric_points: 1,
      recommendation_log: 1,
      leaderboard_cache: 1,
      skill_call_rating: 1,
    });
    assert.deepEqual(db.prepare('SELECT call_id FROM skill_call_rating').pluck().all(), ['call 2026-02-08 00:00:00']);
    for (const table of ['metric_points', 'recommendation_log', 'leaderboard_cache']) assert.deepEqual(remainingIds(db, table), [2], table);
    assert.equal(countRows(db, 'metric_series'), 1, 'series stay: the exporter keeps their ids');
  });

  it('records when it ran, and finds nothing to do when run again', () => {
    insertFixture();
    applyRetention(db, { retentionDays: 30, now: NOW });
    assert.equal(getMeta(db, 'last_retention_at'), '2026-03-10 12:00:00');
    const again = applyRetention(db, { retentionDays: 30, now: NOW + 1000 });
    assert.deepEqual([again.rolledUpRows, again.dailyRows, again.deleted.skill_usage], [0, 0, 0]);
    assert.equal(getMeta(db, 'last_retention_at'), '2026-03-10 12:00:01');
  });

  it('rolls up and deletes in one transaction: when a delete fails, nothing is rolled up or deleted', () => {
    insertFixture();
    rebuildAggregates(db);
    insertRow(db, 'leaderboard_cache', {
      metric_type: 'usage',
      time_window: '7d',
      rank: 1,
      skill_id: 'x',
      score: 1,
      computed_at: '2026-01-01 00:00:00',
    });
    db.exec("CREATE TRIGGER refuse BEFORE DELETE ON leaderboard_cache BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    assert.throws(() => applyRetention(db, { retentionDays: 30, now: NOW }), /disk on fire/);
    assert.equal(countRows(db, 'skill_usage_daily'), 0);
    assert.equal(countRows(db, 'skill_usage'), 9);
    assert.deepEqual([countRows(db, 'skill_usage_hourly'), countRows(db, 'skill_user_daily')], [9, 6]);
    assert.equal(getMeta(db, 'last_retention_at'), undefined);
  });

  it('wants a whole number of days, 1 or more', () => {
    for (const retentionDays of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => applyRetention(db, { retentionDays }), {
        name: 'RangeError',
        message: /retentionDays must be a whole number of days, 1 or more/,
      });
    }
    assert.throws(() => scheduleRetention(db, 0, () => undefined), RangeError);
  });

  describe('scheduleRetention', () => {
    it('runs at once and then every 24 hours until stopped', () => {
      const clock = sinon.useFakeTimers({ now: NOW, toFake: ['Date', 'setInterval', 'clearInterval'] });
      insertFixture();
      const onError = sinon.spy();
      const schedule = scheduleRetention(db, 30, onError);
      assert.deepEqual(remainingIds(db), [8, 9]);
      assert.equal(getMeta(db, 'last_retention_at'), '2026-03-10 12:00:00');
      clock.tick(RETENTION_INTERVAL_MS);
      // A day later the cutoff is 2026-02-09: row 8 (2026-02-08) goes.
      assert.deepEqual(remainingIds(db), [9]);
      assert.equal(getMeta(db, 'last_retention_at'), '2026-03-11 12:00:00');
      schedule.stop();
      clock.tick(40 * RETENTION_INTERVAL_MS);
      assert.deepEqual(remainingIds(db), [9]);
      assert.equal(onError.callCount, 0);
    });

    it('hands failures to onError instead of throwing, and stops once the database is closed', () => {
      const clock = sinon.useFakeTimers({ now: NOW, toFake: ['Date', 'setInterval', 'clearInterval'] });
      insertRow(db, 'leaderboard_cache', {
        metric_type: 'usage',
        time_window: '7d',
        rank: 1,
        skill_id: 'x',
        score: 1,
        computed_at: '2026-01-01 00:00:00',
      });
      db.exec("CREATE TRIGGER refuse BEFORE DELETE ON leaderboard_cache BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
      const onError = sinon.spy();
      scheduleRetention(db, 30, onError);
      assert.equal(onError.callCount, 1);
      assert.match(String(onError.firstCall.args[0]), /disk on fire/);
      db.close();
      clock.tick(RETENTION_INTERVAL_MS);
      assert.equal(onError.callCount, 1);
      assert.equal(clock.countTimers(), 0);
    });

    it('does not keep the process alive', () => {
      const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
      const before = timers();
      const schedule = scheduleRetention(db, 30, () => undefined);
      assert.equal(timers(), before);
      schedule.stop();
    });
  });
});
