import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { checkAggregates } from '../../src/store/aggregates.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../../src/instruments/perCallColumns.js';
import { writeSyntheticUsage, type SyntheticUsageOptions } from '../../bench/lib/syntheticData.js';
import { countRows } from '../sqlite-exporter/helpers/rows.js';

const END = Date.parse('2026-03-10T12:34:56Z');
const OPTIONS: SyntheticUsageOptions = { rows: 25_000, skills: 30, users: 400, orgs: 5, agents: 3, days: 14, seed: 42, endMs: END };

function generated(options: SyntheticUsageOptions): Database.Database {
  const db = openAnalyticsDatabase(':memory:');
  writeSyntheticUsage(db, options);
  return db;
}

/** A digest of every skill_usage row, to compare two databases. */
function digest(db: Database.Database): string {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT * FROM skill_usage ORDER BY id').raw().iterate()) hash.update(JSON.stringify(row));
  return hash.digest('hex');
}

const scalar = (db: Database.Database, sql: string): unknown => db.prepare(sql).pluck().get();

describe('writeSyntheticUsage', function () {
  this.timeout(30_000);
  let db: Database.Database;
  before(() => (db = generated(OPTIONS)));
  after(() => db.close());

  it('writes the rows asked for through the writer, so the aggregates and skill totals agree with them', () => {
    assert.equal(countRows(db, 'skill_usage'), OPTIONS.rows);
    assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    assert.equal(
      scalar(db, 'SELECT sum(execution_count) FROM skill_usage_hourly'),
      scalar(db, 'SELECT sum(execution_count) FROM skill_usage'),
    );
    assert.equal(scalar(db, 'SELECT sum(rating_count) FROM skill_metrics'), scalar(db, 'SELECT sum(rating_count) FROM skill_usage'));
  });

  it('returns how many rows it wrote and how long it took', () => {
    const fresh = openAnalyticsDatabase(':memory:');
    try {
      const result = writeSyntheticUsage(fresh, { ...OPTIONS, rows: 1000 });
      assert.equal(result.rows, 1000);
      assert.ok(result.ms > 0 && result.ms < 30_000, String(result.ms));
    } finally {
      fresh.close();
    }
  });

  it('writes the same rows for the same seed, and others for another', () => {
    const small = { ...OPTIONS, rows: 3000 };
    const [a, b, c] = [generated(small), generated(small), generated({ ...small, seed: 43 })];
    try {
      assert.equal(digest(a), digest(b));
      assert.notEqual(digest(a), digest(c));
    } finally {
      for (const each of [a, b, c]) each.close();
    }
  });

  it('writes consistent counts: successes and failures, buckets and error types add up to the calls', () => {
    const buckets = LATENCY_BUCKET_COLUMNS.join(' + ');
    const errors = ERROR_COLUMNS.join(' + ');
    const wrong = scalar(
      db,
      `SELECT count(*) FROM skill_usage WHERE execution_count < 1 OR success_count + failure_count != execution_count
         OR ${buckets} != execution_count OR ${errors} != failure_count OR rating_count > 0 AND rating_sum NOT BETWEEN rating_count AND 5 * rating_count
         OR latency_min_ms > latency_max_ms OR abs(avg_latency_ms * execution_count - latency_sum_ms) > 1e-6 * latency_sum_ms`,
    );
    assert.equal(wrong, 0);
  });

  it('spreads the rows over the days before endMs, busier on weekdays and afternoons (UTC)', () => {
    assert.equal(scalar(db, 'SELECT min(timestamp) FROM skill_usage'), '2026-02-24 12:00:09');
    assert.match(
      scalar(db, 'SELECT max(timestamp) FROM skill_usage') as string,
      /^2026-03-10 11:5\d:\d9$/,
      'in the last whole hour before endMs',
    );
    const perHour = (where: string) =>
      scalar(db, `SELECT sum(execution_count) * 1.0 / count(DISTINCT hour) FROM skill_usage_hourly WHERE ${where}`) as number;
    assert.ok(perHour("strftime('%w', hour) NOT IN ('0', '6')") > 1.5 * perHour("strftime('%w', hour) IN ('0', '6')"), 'weekdays');
    assert.ok(
      perHour("substr(hour, 12, 2) BETWEEN '12' AND '16'") > 2 * perHour("substr(hour, 12, 2) BETWEEN '00' AND '04'"),
      'afternoons',
    );
  });

  it('makes a few skills popular and the rest a long tail, with some launched late', () => {
    const calls = db
      .prepare('SELECT skill_id, sum(execution_count) AS calls FROM skill_usage GROUP BY skill_id ORDER BY calls DESC')
      .all() as { skill_id: string; calls: number }[];
    assert.equal(calls.length, OPTIONS.skills);
    assert.equal(calls[0]!.skill_id, 'web_search');
    assert.ok(calls[0]!.calls > 5 * calls.at(-1)!.calls);
    const late = scalar(db, "SELECT count(*) FROM skill_metrics WHERE first_seen > '2026-03-01'") as number;
    assert.ok(late >= 1 && late <= 3, `${late} skills launched in the last third`);
  });

  it('has users in orgs of different sizes, a few without one, and some calls made outside any user', () => {
    const orgs = db
      .prepare('SELECT count(DISTINCT user_id) FROM skill_usage WHERE org_id IS NOT NULL GROUP BY org_id ORDER BY 1 DESC')
      .pluck()
      .all() as number[];
    assert.equal(orgs.length, OPTIONS.orgs);
    assert.ok(orgs[0]! > 2 * orgs.at(-1)!, `org sizes ${orgs.join(', ')}`);
    assert.ok((scalar(db, 'SELECT count(DISTINCT user_id) FROM skill_usage WHERE org_id IS NULL') as number) > 0);
    const anonymous = (scalar(db, 'SELECT count(*) FROM skill_usage WHERE user_id IS NULL') as number) / OPTIONS.rows;
    assert.ok(anonymous > 0.01 && anonymous < 0.06, String(anonymous));
  });

  it('gives three rows in four an agent, a few agents doing most of the calls', () => {
    const shares = db
      .prepare('SELECT agent_name, count(*) * 1.0 / (SELECT count(*) FROM skill_usage) FROM skill_usage GROUP BY 1 ORDER BY 2 DESC')
      .raw()
      .all() as [string, number][];
    assert.deepEqual(shares.map(([agent]) => agent).sort(), ['', 'planner', 'researcher', 'writer']);
    const none = shares.find(([agent]) => agent === '')![1];
    assert.ok(none > 0.2 && none < 0.3, String(none));
    assert.equal(shares[0]![0], 'planner');
    const noAgents = generated({ ...OPTIONS, rows: 500, agents: 0 });
    try {
      assert.equal(scalar(noAgents, "SELECT count(*) FROM skill_usage WHERE agent_name <> ''"), 0);
    } finally {
      noAgents.close();
    }
  });

  it('fails calls at rates that differ by skill, timeouts and upstream errors first, timeouts slow', () => {
    const rates = db
      .prepare('SELECT sum(failure_count) * 1.0 / sum(execution_count) FROM skill_usage GROUP BY skill_id')
      .pluck()
      .all() as number[];
    assert.ok(Math.max(...rates) > 3 * Math.min(...rates), `failure rates ${Math.min(...rates)} to ${Math.max(...rates)}`);
    const byType = ERROR_COLUMNS.map((column) => scalar(db, `SELECT sum(${column}) FROM skill_usage`) as number);
    assert.deepEqual(
      ERROR_COLUMNS.filter((_, index) => byType[index]! >= Math.max(...byType) * 0.6),
      ['timeout_count', 'upstream_count'],
    );
    assert.ok(
      (scalar(db, 'SELECT sum(lat_le_60000) FROM skill_usage') as number) >=
        (scalar(db, 'SELECT sum(timeout_count) FROM skill_usage') as number) * 0.9,
    );
  });

  it('refuses options that are not whole numbers in range, naming the option', () => {
    const fresh = openAnalyticsDatabase(':memory:');
    try {
      for (const [name, value] of [
        ['rows', -1],
        ['skills', 0],
        ['users', 1.5],
        ['agents', -1],
        ['days', Number.NaN],
        ['endMs', -1],
      ] as const) {
        assert.throws(() => writeSyntheticUsage(fresh, { ...OPTIONS, [name]: value }), {
          name: 'RangeError',
          message: new RegExp(`option "${name}" must be a whole number`),
        });
      }
      assert.equal(countRows(fresh, 'skill_usage'), 0);
    } finally {
      fresh.close();
    }
  });
});
