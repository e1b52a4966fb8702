import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { LATENCY_BOUNDARIES_MS } from '../../src/instruments/names.js';
import { emptyRow, type UsageRow } from '../../src/sqlite-exporter/rows.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { checkAggregates, rebuildAggregates } from '../../src/store/aggregates.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { applyRetention } from '../../src/store/retention.js';
import { APPLICATION_ID, HOURLY_TOTAL_COLUMNS, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { assertAggregatesMatchUsage } from '../sqlite-exporter/helpers/aggregates.js';
import { openInChildrenAtOnce } from '../sqlite-exporter/helpers/children.js';
import { useTempDirectory } from '../sqlite-exporter/helpers/tempDirectory.js';

/**
 * A real file of schema version 4, made by the release before version 5 (commit 285ccf8) through its
 * SqliteWriter: four days of calls of three users in two orgs over five skills, with failures,
 * ratings, installs, calls without a user, an overflow row and an application metric, every day
 * but the last closed into skill_usage_by_day, a recommendation for carol logged; closed as a
 * stopped application leaves it (journal_mode DELETE).
 */
const FIXTURE = fileURLToPath(new URL('../../../test/store/fixtures/schema-v4.sqlite', import.meta.url));

/** The tables of version 4 and the columns that order their rows completely. */
const V4_TABLES: Readonly<Record<string, string>> = {
  skill_usage: 'id',
  skill_usage_daily: 'skill_id, org_id, day',
  skill_usage_hourly: 'skill_id, org_id, hour',
  skill_usage_by_day: 'skill_id, org_id, day',
  skill_user_daily: 'skill_id, user_id, day',
  user_daily: 'day, user_id, org_id',
  skill_user_first: 'skill_id, user_id',
  skill_metrics: 'skill_id',
  leaderboard_cache: 'id',
  recommendation_log: 'id',
  metric_series: 'id',
  metric_points: 'id',
  toolweaver_meta: 'key',
};

/** The first 16 hex digits of the SHA-256 of migrations 4 and 5, as released. */
const PINNED = ['a503b81ce97061f4', 'd10927cea1b8af55'];

function readAll(db: Database.Database): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(V4_TABLES).map(([table, order]) => [table, db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all()]),
  );
}

/** The rows without their agent_name, which must be '' (none) where the table has it. */
function withoutAgent(rows: unknown[]): unknown[] {
  return rows.map((row) => {
    const { agent_name: agent, ...rest } = row as Record<string, unknown>;
    assert.ok(agent === undefined || agent === '', `agent_name is ${JSON.stringify(agent)}`);
    return rest;
  });
}

function primaryKey(db: Database.Database, table: string): string[] {
  const columns = db.prepare(`SELECT name, pk FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`).all(table) as { name: string }[];
  return columns.map((column) => column.name);
}

function call(skill: string, org: string | null, agent: string | null, at: string, calls: number, ratings: number[] = []): UsageRow {
  const row = emptyRow(skill, 'dave', org, at, at, false, agent);
  row.executions = calls;
  row.successes = calls;
  row.latencySumMs = 10 * calls;
  row.latencyBuckets[LATENCY_BOUNDARIES_MS.indexOf(10)] = calls;
  row.ratingCount = ratings.length;
  row.ratingSum = ratings.reduce((sum, stars) => sum + stars, 0);
  for (const stars of ratings) row.stars[stars - 1]! += 1;
  return row;
}

describe('migration from version 4: the agent', function () {
  this.timeout(30_000);
  const tmp = useTempDirectory();

  function copyFixture(): string {
    const path = join(tmp(), 'analytics.db');
    copyFileSync(FIXTURE, path);
    chmodSync(path, 0o600);
    return path;
  }

  it('keeps every row and total of a real version 4 file, each with the agent none', () => {
    const path = copyFixture();
    const old = new Database(path, { readonly: true });
    const before = readAll(old);
    assert.equal(old.pragma('user_version', { simple: true }), 4);
    old.close();
    assert.ok(before['skill_usage']!.length > 100 && before['skill_usage_by_day']!.length > 0 && before['recommendation_log']!.length > 0);

    const db = openAnalyticsDatabase(path);
    try {
      assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      const after = readAll(db);
      for (const table of Object.keys(V4_TABLES)) {
        if (table === 'toolweaver_meta') continue;
        assert.deepEqual(withoutAgent(after[table]!), before[table], table);
      }
      assert.deepEqual(
        (after['toolweaver_meta'] as { key: string }[]).map(({ key }) => key),
        (before['toolweaver_meta'] as { key: string }[]).map(({ key }) => key),
      );
      assert.deepEqual(primaryKey(db, 'skill_usage_hourly'), ['skill_id', 'org_id', 'hour', 'agent_name']);
      assert.deepEqual(primaryKey(db, 'skill_usage_by_day'), ['skill_id', 'org_id', 'day', 'agent_name']);
      assert.deepEqual(primaryKey(db, 'skill_usage_daily'), ['skill_id', 'org_id', 'day', 'agent_name']);
      assert.deepEqual(primaryKey(db, 'skill_call_rating'), ['call_id', 'user_id']);
      assert.equal(db.prepare('SELECT count(*) FROM skill_call_rating').pluck().get(), 0);
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    } finally {
      db.close();
    }
  });

  it('then keeps the totals of each agent apart, and checkAggregates and rebuildAggregates agree with them', () => {
    const db = openAnalyticsDatabase(copyFixture());
    try {
      const hour =
        "SELECT agent_name, execution_count, rating_sum FROM skill_usage_hourly WHERE skill_id = 'web_search' AND org_id = 'acme' AND hour = ? ORDER BY agent_name";
      const before = db.prepare(hour).all('2026-03-10 18:00:00');
      new SqliteWriter(db).write({
        usage: [
          call('web_search', 'acme', 'planner', '2026-03-10 18:40:00', 3, [5]),
          call('web_search', 'acme', 'researcher', '2026-03-10 18:41:00', 2),
          call('web_search', 'acme', 'planner', '2026-03-10 18:42:00', 4, [2]),
          call('web_search', 'acme', null, '2026-03-10 18:43:00', 1),
        ],
        points: [],
      });
      const none = before[0] as { execution_count: number; rating_sum: number };
      assert.deepEqual(db.prepare(hour).all('2026-03-10 18:00:00'), [
        { agent_name: '', execution_count: none.execution_count + 1, rating_sum: none.rating_sum },
        { agent_name: 'planner', execution_count: 7, rating_sum: 7 },
        { agent_name: 'researcher', execution_count: 2, rating_sum: 0 },
      ]);
      assert.deepEqual(
        db
          .prepare("SELECT agent_name, count(*) AS rows, sum(execution_count) AS calls FROM skill_usage WHERE user_id = 'dave' GROUP BY 1")
          .all(),
        [
          { agent_name: '', rows: 1, calls: 1 },
          { agent_name: 'planner', rows: 2, calls: 7 },
          { agent_name: 'researcher', rows: 1, calls: 2 },
        ],
      );
      assertAggregatesMatchUsage(db);
      // The next day closes 03-10, per agent.
      new SqliteWriter(db).write({ usage: [call('web_search', 'acme', 'planner', '2026-03-11 08:00:00', 1)], points: [] });
      assert.deepEqual(
        db
          .prepare(
            "SELECT agent_name, execution_count FROM skill_usage_by_day WHERE skill_id = 'web_search' AND org_id = 'acme' AND day = '2026-03-10' ORDER BY 1",
          )
          .all()
          .map((row) => (row as { agent_name: string }).agent_name),
        ['', 'planner', 'researcher'],
      );
      const aggregates = () =>
        ['skill_usage_hourly', 'skill_usage_by_day'].map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3, 4`).all());
      const written = aggregates();
      db.prepare("UPDATE skill_usage_hourly SET execution_count = 99 WHERE agent_name = 'researcher'").run();
      assert.deepEqual(checkAggregates(db).problems, [
        'skill_usage_hourly (skill_id="web_search", org_id="acme", hour="2026-03-10 18:00:00", agent_name="researcher"): execution_count is 99, skill_usage says 2',
      ]);
      rebuildAggregates(db);
      assert.deepEqual(aggregates(), written);
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    } finally {
      db.close();
    }
  });

  it('rolls the rows of each agent up apart at retention', () => {
    const db = openAnalyticsDatabase(copyFixture());
    try {
      new SqliteWriter(db).write({
        usage: [
          call('summarize', 'acme', 'planner', '2026-03-07 10:00:00', 3),
          call('summarize', 'acme', 'writer', '2026-03-07 10:00:00', 2),
        ],
        points: [],
      });
      const day =
        "SELECT agent_name, sum(execution_count) FROM skill_usage WHERE skill_id = 'summarize' AND org_id = 'acme' AND timestamp < '2026-03-08' GROUP BY 1 ORDER BY 1";
      const raw = db.prepare(day).raw().all() as [string, number][];
      applyRetention(db, { retentionDays: 1, now: Date.parse('2026-03-09T12:00:00Z') });
      assert.deepEqual(
        db
          .prepare(
            "SELECT agent_name, execution_count FROM skill_usage_daily WHERE skill_id = 'summarize' AND org_id = 'acme' AND day = '2026-03-07' ORDER BY 1",
          )
          .raw()
          .all(),
        raw,
      );
      assert.deepEqual(
        raw.map(([agent]) => agent),
        ['', 'planner', 'writer'],
      );
    } finally {
      db.close();
    }
  });

  it('is one transaction that a reader in the middle of a read does not see, and the reader goes on', () => {
    const path = copyFixture();
    const wal = new Database(path);
    wal.pragma('journal_mode = WAL');
    wal.close();
    const reader = new Database(path, { readonly: true });
    const hourly = () =>
      reader.prepare(`SELECT skill_id, org_id, hour, ${HOURLY_TOTAL_COLUMNS.join(', ')} FROM skill_usage_hourly ORDER BY 1, 2, 3`).all();
    try {
      reader.exec('BEGIN');
      const seen = hourly();
      openAnalyticsDatabase(path).close();
      assert.deepEqual(hourly(), seen, 'the reader still reads its snapshot of version 4');
      assert.equal(reader.pragma('user_version', { simple: true }), 4);
      reader.exec('COMMIT');
      assert.equal(reader.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.deepEqual(hourly(), seen, 'and then the same totals from version 5');
    } finally {
      reader.close();
    }
  });

  it('is migrated once when 3 processes open the version 4 file at the same moment', async () => {
    const path = copyFixture();
    for (const { code, output } of await openInChildrenAtOnce(path, 3)) {
      assert.equal(code, 0, output);
      assert.deepEqual(JSON.parse(output), { journalMode: 'wal', userVersion: SCHEMA_VERSION, applicationId: APPLICATION_ID });
    }
    const db = openAnalyticsDatabase(path, { readonly: true });
    try {
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%\\_v5' ESCAPE '\\'").pluck().get(), 0);
    } finally {
      db.close();
    }
  });

  it("keeps versions 4 and 5's SQL byte for byte, so files made before migrate", () => {
    assert.deepEqual(
      MIGRATIONS.slice(3, 5).map((sql) => createHash('sha256').update(sql).digest('hex').slice(0, 16)),
      PINNED,
    );
  });
});
