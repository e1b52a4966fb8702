import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { CallRating } from '../../src/instruments/callRatings.js';
import { leaderboard } from '../../src/reports/leaderboards.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { checkAggregates } from '../../src/store/aggregates.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { assertAggregatesMatchUsage } from './helpers/aggregates.js';

const ALICE = { userId: 'alice', orgId: 'acme', agentName: 'planner' } as const;

/** What the database says of the ratings of `skillId`, from every table that counts them. */
function ratings(db: Database.Database, skillId: string) {
  const get = (sql: string) => db.prepare(sql).get(skillId) as Record<string, number | null>;
  return {
    skillMetrics: get(
      'SELECT rating_count, rating_sum, stars_1, stars_2, stars_3, stars_4, stars_5, rating_1_5_stars FROM skill_metrics WHERE skill_id = ?',
    ),
    usage: get('SELECT sum(rating_count) AS rating_count, sum(rating_sum) AS rating_sum FROM skill_usage WHERE skill_id = ?'),
    hourly: get('SELECT sum(rating_count) AS rating_count, sum(rating_sum) AS rating_sum FROM skill_usage_hourly WHERE skill_id = ?'),
    userDaily: get('SELECT sum(rating_count) AS rating_count, sum(rating_sum) AS rating_sum FROM skill_user_daily WHERE skill_id = ?'),
  };
}

describe('ratings of calls in SQLite', function () {
  this.timeout(30_000);
  let dir: string;
  let path: string;
  const started: Analytics[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-call-ratings-'));
    path = join(dir, 'analytics.db');
  });
  afterEach(async () => {
    for (const app of started.splice(0)) await app.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  function start(): Analytics {
    const app = startAnalytics({
      env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    started.push(app);
    return app;
  }

  function read<T>(look: (db: Database.Database) => T): T {
    const db = new Database(path, { readonly: true });
    try {
      return look(db);
    } finally {
      db.close();
    }
  }

  it('keeps the latest rating of each call and user, and counts it once everywhere, across exports', async () => {
    const app = start();
    app.withContext(ALICE, () => app.rate('web_search', 2, { callId: 'call_1' }));
    await app.flush();
    app.withContext(ALICE, () => app.rate('web_search', 5, { callId: 'call_1' }));
    app.rate('web_search', 4, { userId: 'bob', orgId: 'acme', callId: 'call_1' });
    await app.flush();
    app.withContext(ALICE, () => {
      app.rate('web_search', 5, { callId: 'call_1' }); // the same stars again: nothing changes
      app.rate('web_search', 1, { callId: 'call_2' });
      app.rate('web_search', 3, { callId: 'call_2' }); // in the same export: only the latest is written
    });
    await app.flush();

    read((db) => {
      assert.deepEqual(
        db.prepare('SELECT call_id, user_id, skill_id, org_id, agent_name, stars FROM skill_call_rating ORDER BY 1, 2').raw().all(),
        [
          ['call_1', 'alice', 'web_search', 'acme', 'planner', 5],
          ['call_1', 'bob', 'web_search', 'acme', '', 4],
          ['call_2', 'alice', 'web_search', 'acme', 'planner', 3],
        ],
      );
      const three = { rating_count: 3, rating_sum: 5 + 4 + 3 };
      assert.deepEqual(ratings(db, 'web_search'), {
        skillMetrics: { ...three, stars_1: 0, stars_2: 0, stars_3: 1, stars_4: 1, stars_5: 1, rating_1_5_stars: 4 },
        usage: three,
        hourly: three,
        userDaily: three,
      });
      assert.deepEqual(
        db
          .prepare("SELECT agent_name, sum(rating_count), sum(rating_sum) FROM skill_usage_hourly WHERE skill_id = 'web_search' GROUP BY 1")
          .raw()
          .all(),
        [
          ['', 1, 4],
          ['planner', 2, 8],
        ],
      );
      const board = leaderboard(db, { metric: 'rating' });
      assert.deepEqual(board.entries[0]?.details, { ratings: 3, meanRating: 4, priorMean: 4, priorWeight: 10 });
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    });
  });

  it('replaces a rating that another exporter over the same file wrote, before a restart or at the same time', async () => {
    const first = start();
    first.withContext(ALICE, () => first.rate('summarize', 4, { callId: 'call_9' }));
    await first.shutdown();
    // A process started after it, and another one beside that: each its own exporter and memory of rated calls.
    const [second, third] = [start(), start()];
    second.withContext(ALICE, () => second.rate('summarize', 1, { callId: 'call_9' }));
    await second.flush();
    assert.equal(
      read((db) => ratings(db, 'summarize').skillMetrics['rating_sum']),
      1,
    );
    third.withContext(ALICE, () => third.rate('summarize', 3, { callId: 'call_9' }));
    await third.flush();
    read((db) => {
      const one = { rating_count: 1, rating_sum: 3 };
      assert.deepEqual(ratings(db, 'summarize'), {
        skillMetrics: { ...one, stars_1: 0, stars_2: 0, stars_3: 1, stars_4: 0, stars_5: 0, rating_1_5_stars: 3 },
        usage: one,
        hourly: one,
        userDaily: one,
      });
      assert.deepEqual(db.prepare('SELECT stars FROM skill_call_rating').pluck().all(), [3]);
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    });
  });

  describe('as the writer takes them', () => {
    let db: Database.Database;
    let writer: SqliteWriter;
    beforeEach(() => {
      db = openAnalyticsDatabase(':memory:');
      writer = new SqliteWriter(db);
    });
    afterEach(() => db.close());

    const rating = (skillId: string, stars: number, at: string, extra: Partial<CallRating> = {}): CallRating => ({
      callId: 'call_1',
      userId: 'alice',
      orgId: 'acme',
      agentName: null,
      skillId,
      stars,
      ratedAtMs: Date.parse(`${at.replace(' ', 'T')}Z`),
      ...extra,
    });
    const rate = (...callRatings: CallRating[]) => writer.write({ usage: [], points: [], callRatings });
    const byHour = () =>
      db
        .prepare(
          'SELECT skill_id, hour, rating_count, rating_sum FROM skill_usage_hourly WHERE rating_count <> 0 OR rating_sum <> 0 ORDER BY 1, 2',
        )
        .raw()
        .all();

    it('keeps a later rating when an earlier one is written after it', () => {
      rate(rating('web_search', 5, '2026-03-10 10:00:05'));
      rate(rating('web_search', 2, '2026-03-10 10:00:01'));
      assert.deepEqual(byHour(), [['web_search', '2026-03-10 10:00:00', 1, 5]]);
      assert.deepEqual(db.prepare('SELECT stars, rated_at FROM skill_call_rating').raw().all(), [[5, '2026-03-10 10:00:05']]);
    });

    it('counts a replaced rating in the hour and day it was first counted in, and moves it to the skill it now names', () => {
      rate(rating('web_search', 5, '2026-03-09 23:59:00'));
      rate(rating('web_search', 2, '2026-03-10 08:00:00'), rating('code_exec', 1, '2026-03-10 08:00:00', { callId: 'call_2' }));
      assert.deepEqual(byHour(), [
        ['code_exec', '2026-03-10 08:00:00', 1, 1],
        ['web_search', '2026-03-09 23:00:00', 1, 2],
      ]);
      rate(rating('summarize', 4, '2026-03-10 09:00:00'));
      assert.deepEqual(byHour(), [
        ['code_exec', '2026-03-10 08:00:00', 1, 1],
        ['summarize', '2026-03-09 23:00:00', 1, 4],
      ]);
      assert.deepEqual(
        db
          .prepare('SELECT skill_id, day, rating_count, rating_sum FROM skill_usage_by_day WHERE rating_count <> 0 OR rating_sum <> 0')
          .raw()
          .all(),
        [['summarize', '2026-03-09', 1, 4]],
        'the closed day 03-09 holds the rating, moved',
      );
      assert.deepEqual(
        db.prepare('SELECT skill_id, rating_count, rating_sum, stars_2, stars_4, stars_5 FROM skill_metrics ORDER BY 1').raw().all(),
        [
          ['code_exec', 1, 1, 0, 0, 0],
          ['summarize', 1, 4, 0, 1, 0],
          ['web_search', 0, 0, 0, 0, 0],
        ],
      );
      assertAggregatesMatchUsage(db);
    });
  });
});
