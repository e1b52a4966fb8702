import assert from 'node:assert/strict';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { rebuildAggregates } from '../../src/store/aggregates.js';
import { CommittedFirstDays } from '../../src/sqlite-exporter/CommittedFirstDays.js';
import { emptyRow } from '../../src/sqlite-exporter/rows.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import type { UsageRow } from '../../src/sqlite-exporter/rows.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { assertAggregatesMatchUsage } from './helpers/aggregates.js';
import { useTempDirectory } from './helpers/tempDirectory.js';

/** One call of `skill` by `user` of `org` at `at`, as the mapping would make its row. */
function call(skill: string, user: string, org: string, at: string): UsageRow {
  const row = emptyRow(skill, user, org, at, at, false);
  row.executions = 1;
  row.successes = 1;
  row.latencySumMs = 30;
  row.latencyBuckets[4] = 1;
  return row;
}

/** Counts the upserts that reach skill_user_first: a BEFORE INSERT trigger fires for each, conflicting or not. */
function countFirstDayUpserts(db: Database.Database): () => number {
  db.exec(`CREATE TABLE first_day_upserts (n INTEGER);
CREATE TRIGGER count_first_day_upserts BEFORE INSERT ON skill_user_first BEGIN INSERT INTO first_day_upserts VALUES (1); END;`);
  return () => db.prepare('SELECT count(*) FROM first_day_upserts').pluck().get() as number;
}

const firstDays = (db: Database.Database) => db.prepare('SELECT skill_id, user_id, org_id, first_day FROM skill_user_first ORDER BY 1, 2').all();

describe('first days the writer has committed', function () {
  this.timeout(30_000);
  const tmp = useTempDirectory();
  let databases: Database.Database[];
  const open = (): Database.Database => {
    const db = openAnalyticsDatabase(join(tmp(), 'shared.db'));
    databases.push(db);
    return db;
  };

  beforeEach(() => {
    databases = [];
  });
  afterEach(() => {
    for (const db of databases) db.close();
  });

  it('upserts skill_user_first once for a skill and user whose first day it wrote, until an earlier day comes', () => {
    const db = open();
    const writer = new SqliteWriter(db);
    const upserts = countFirstDayUpserts(db);
    const write = (...usage: UsageRow[]) => writer.write({ usage, points: [] });
    write(call('web_search', 'alice', 'acme', '2026-03-10 10:00:00'), call('web_search', 'bob', 'acme', '2026-03-10 10:00:00'));
    write(call('web_search', 'alice', 'acme', '2026-03-10 11:00:00'), call('web_search', 'bob', 'acme', '2026-03-11 10:00:00'));
    assert.equal(upserts(), 2, 'the second export changes no first day');
    write(call('web_search', 'alice', 'globex', '2026-03-09 10:00:00'));
    assert.equal(upserts(), 3);
    assert.deepEqual(firstDays(db), [
      { skill_id: 'web_search', user_id: 'alice', org_id: 'globex', first_day: '2026-03-09' },
      { skill_id: 'web_search', user_id: 'bob', org_id: 'acme', first_day: '2026-03-10' },
    ]);
    assertAggregatesMatchUsage(db);
  });

  it('learns nothing from an export that rolled back, even after its first days were upserted', () => {
    const db = open();
    const writer = new SqliteWriter(db);
    const point = { name: 'queue_depth', description: '', unit: '', type: 'gauge', temporality: 'cumulative', monotonic: null, scopeName: 'app', scopeVersion: '' } as const;
    const times = { attributes: '{}', startTime: '2026-03-10 10:00:00', timestamp: '2026-03-10 10:00:00' };
    const values = { value: 3, count: null, sum: null, min: null, max: null, bounds: null, bucketCounts: null };
    // Generic points are written after the aggregates: this one fails the export at its very end.
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON metric_points BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    assert.throws(() => writer.write({ usage: [call('web_search', 'alice', 'acme', '2026-03-10 10:00:00')], points: [{ ...point, ...times, ...values }] }), /disk on fire/);
    db.exec('DROP TRIGGER refuse');
    writer.write({ usage: [call('web_search', 'alice', 'acme', '2026-03-10 11:00:00')], points: [] });
    assert.deepEqual(firstDays(db), [{ skill_id: 'web_search', user_id: 'alice', org_id: 'acme', first_day: '2026-03-10' }]);
    assertAggregatesMatchUsage(db);
  });

  it('stays right while another connection writes earlier first days into the same file', () => {
    const [one, other] = [open(), open()];
    const [writer, otherWriter] = [new SqliteWriter(one), new SqliteWriter(other)];
    const upserts = countFirstDayUpserts(one);
    writer.write({ usage: [call('web_search', 'alice', 'acme', '2026-03-10 10:00:00')], points: [] });
    otherWriter.write({ usage: [call('web_search', 'alice', 'globex', '2026-03-08 10:00:00')], points: [] });
    writer.write({ usage: [call('web_search', 'alice', 'acme', '2026-03-10 12:00:00')], points: [] });
    writer.write({ usage: [call('web_search', 'alice', 'initech', '2026-03-09 10:00:00')], points: [] });
    assert.equal(upserts(), 3, 'the first, the other writer’s, and the day before the one it wrote');
    assert.deepEqual(firstDays(one), [{ skill_id: 'web_search', user_id: 'alice', org_id: 'globex', first_day: '2026-03-08' }]);
    assertAggregatesMatchUsage(one);
  });

  it('forgets what it wrote when another connection rebuilds the aggregates, which may delete first days', () => {
    const [one, other] = [open(), open()];
    const writer = new SqliteWriter(one);
    writer.write({ usage: [call('web_search', 'alice', 'acme', '2026-03-10 10:00:00'), call('web_search', 'bob', 'acme', '2026-03-10 10:00:00')], points: [] });
    // Rows deleted by hand, then the documented repair: alice's first day goes with them.
    other.exec("DELETE FROM skill_usage WHERE user_id = 'alice'");
    rebuildAggregates(other);
    assert.deepEqual(firstDays(other), [{ skill_id: 'web_search', user_id: 'bob', org_id: 'acme', first_day: '2026-03-10' }]);
    writer.write({ usage: [call('web_search', 'alice', 'acme', '2026-03-10 11:00:00')], points: [] });
    assert.deepEqual(firstDays(one), [
      { skill_id: 'web_search', user_id: 'alice', org_id: 'acme', first_day: '2026-03-10' },
      { skill_id: 'web_search', user_id: 'bob', org_id: 'acme', first_day: '2026-03-10' },
    ]);
    assertAggregatesMatchUsage(one);
  });

  it('starts over when it would remember more pairs than its limit, and learns only what committed', () => {
    const remembered = new CommittedFirstDays(3);
    remembered.syncGeneration('0');
    for (const user of ['alice', 'bob', 'carol']) remembered.stage('web_search', user, '2026-03-10');
    remembered.commit();
    remembered.stage('web_search', 'erin', '2026-03-10');
    remembered.discard();
    assert.deepEqual([remembered.size, remembered.covers('web_search', 'alice', '2026-03-11'), remembered.covers('web_search', 'alice', '2026-03-09')], [3, true, false]);
    assert.equal(remembered.covers('web_search', 'erin', '2026-03-10'), false, 'rolled back');
    remembered.stage('web_search', 'dave', '2026-03-10');
    remembered.commit();
    assert.deepEqual([remembered.size, remembered.covers('web_search', 'dave', '2026-03-10'), remembered.covers('web_search', 'alice', '2026-03-10')], [1, true, false]);
    remembered.syncGeneration('1');
    assert.deepEqual([remembered.size, remembered.covers('web_search', 'dave', '2026-03-10')], [0, false]);
  });
});
