import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { DatabaseFileError } from '../../src/core/errors.js';

describe('the sqlite backend', () => {
  let dir: string;
  let analytics: Analytics | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-sqlite-'))));
  afterEach(async () => {
    await analytics?.shutdown();
    analytics = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  function start(env: Record<string, string> = {}, options: Parameters<typeof startAnalytics>[0] = {}): Analytics {
    analytics = startAnalytics({
      env: { HOME: dir, ANALYTICS_DB_FLUSH_INTERVAL: '3600', ...env },
      flushOnExit: false,
      logLevel: 'none',
      ...options,
    });
    return analytics;
  }

  it('is the default: a user who sets nothing gets ~/.toolweaver/analytics.db', async () => {
    const app = start();
    assert.deepEqual(app.config.backends, ['sqlite']);
    app.wrap('web_search', () => 1)();
    await app.shutdown();
    const db = new Database(join(dir, '.toolweaver', 'analytics.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT skill_id, execution_count FROM skill_usage').all(), [
        { skill_id: 'web_search', execution_count: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  it('writes per-user rows and skill totals that add up to what was recorded', async () => {
    const path = join(dir, 'a.db');
    const app = start({ ANALYTICS_DB_PATH: path });
    const search = app.wrap('web_search', async (fail: boolean) => {
      if (fail) throw Object.assign(new Error('quota'), { status: 429 });
      return 'ok';
    });
    for (const [userId, orgId, calls] of [
      ['u1', 'acme', 3],
      ['u2', 'acme', 2],
      ['u3', 'globex', 1],
    ] as const) {
      await app.withContext({ userId, orgId }, async () => {
        for (let i = 0; i < calls; i++) await search(false);
        await assert.rejects(search(true));
      });
    }
    app.rate('web_search', 5, { userId: 'u1' });
    app.rate('web_search', 2, { userId: 'u2' });
    app.recordInstall('web_search', { userId: 'u3', orgId: 'globex' });
    await app.flush();

    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare(
          'SELECT user_id, org_id, sum(execution_count) e, sum(success_count) s, sum(rate_limited_count) r FROM skill_usage GROUP BY user_id, org_id ORDER BY user_id, org_id',
        )
        .all();
      assert.deepEqual(rows, [
        { user_id: 'u1', org_id: null, e: 0, s: 0, r: 0 },
        { user_id: 'u1', org_id: 'acme', e: 4, s: 3, r: 1 },
        { user_id: 'u2', org_id: null, e: 0, s: 0, r: 0 },
        { user_id: 'u2', org_id: 'acme', e: 3, s: 2, r: 1 },
        { user_id: 'u3', org_id: 'globex', e: 2, s: 1, r: 1 },
      ]);
      assert.deepEqual(
        db.prepare('SELECT skill_id, rating_count, rating_1_5_stars, stars_2, stars_5, install_count FROM skill_metrics').all(),
        [{ skill_id: 'web_search', rating_count: 2, rating_1_5_stars: 3.5, stars_2: 1, stars_5: 1, install_count: 1 }],
      );
      const [row] = db
        .prepare(
          "SELECT timestamp, avg_latency_ms, latency_sum_ms, execution_count FROM skill_usage WHERE user_id = 'u1' AND execution_count > 0",
        )
        .all() as {
        timestamp: string;
        avg_latency_ms: number;
        latency_sum_ms: number;
        execution_count: number;
      }[];
      assert.match(row!.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(row!.avg_latency_ms, row!.latency_sum_ms / row!.execution_count);
      assert.equal(
        (db.prepare("SELECT count(*) n FROM skill_usage WHERE timestamp < date('now', '-365 days')").get() as { n: number }).n,
        0,
        "text timestamps: the guide's retention keeps fresh rows",
      );
    } finally {
      db.close();
    }
  });

  it('keeps users out of Prometheus labels while SQLite gets them', async () => {
    const path = join(dir, 'b.db');
    const app = start({ ANALYTICS_BACKEND: 'sqlite,prometheus', ANALYTICS_DB_PATH: path, PROMETHEUS_PORT: '0' });
    await app.ready;
    app.withContext({ userId: 'secret-user', orgId: 'acme' }, () => app.wrap('a', () => 1)());
    await app.flush();
    const url = app
      .describeBackends()
      .find((line) => line.startsWith('prometheus'))!
      .replace('prometheus: ', '');
    const text = await (await fetch(url)).text();
    assert.match(text, /toolweaver_skill_executions_total\{skill_id="a",.*\} 1/);
    assert.ok(!text.includes('secret-user') && !text.includes('user_id'), text);
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT user_id, org_id FROM skill_usage').all(), [{ user_id: 'secret-user', org_id: 'acme' }]);
    } finally {
      db.close();
    }
  });

  it("stores the application's own metrics from the same MeterProvider", async () => {
    const path = join(dir, 'c.db');
    const app = start({ ANALYTICS_DB_PATH: path });
    app.meterProvider.getMeter('my-app').createCounter('tokens_used').add(42, { model: 'large' });
    await app.flush();
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        db
          .prepare(
            "SELECT s.name, s.attributes, p.value FROM metric_points p JOIN metric_series s ON s.id = p.series_id WHERE s.name = 'tokens_used'",
          )
          .all(),
        [{ name: 'tokens_used', attributes: '{"model":"large"}', value: 42 }],
      );
    } finally {
      db.close();
    }
  });

  it('is the same with the semconv opt-in and metric attributes: no gen_ai metric stored, custom attributes ignored', async () => {
    const path = join(dir, 'semconv.db');
    const app = start({
      ANALYTICS_DB_PATH: path,
      OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental',
      ANALYTICS_METRIC_ATTRIBUTES: 'app.tier',
    });
    const search = app.wrap('web_search', () => 1, { attributes: { 'app.tier': 'free' } });
    search();
    app.withContext({ userId: 'u1', attributes: { 'app.tier': 'pro' } }, () => search());
    await app.flush();
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(db.prepare("SELECT count(*) n FROM metric_series WHERE name LIKE 'gen_ai%'").get(), { n: 0 });
      assert.deepEqual(db.prepare('SELECT user_id, execution_count FROM skill_usage ORDER BY user_id').all(), [
        { user_id: null, execution_count: 1 },
        { user_id: 'u1', execution_count: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  it('samples the live health score into metric_points at most every 5 minutes, as Prometheus sees it', async () => {
    const path = join(dir, 'h.db');
    let now = Date.UTC(2026, 10, 28, 12, 0, 0);
    let monotonic = 0;
    const app = start({ ANALYTICS_DB_PATH: path }, { clock: { now: () => now, monotonic: () => monotonic } });
    const search = app.wrap('web_search', () => {
      monotonic += 40;
      return 'ok';
    });
    const exportAfter = async (ms: number) => {
      now += ms;
      await app.flush();
    };
    for (let i = 0; i < 25; i++) search();
    await exportAfter(10_000);
    const firstScore = app.health('web_search').score;
    assert.ok(firstScore !== undefined && firstScore > 0, 'precondition: 25 calls give a score');
    for (let i = 0; i < 30; i++) search();
    await exportAfter(10_000);
    await exportAfter(5 * 60_000);
    const db = new Database(path, { readonly: true });
    try {
      const points = db
        .prepare(
          `SELECT p.timestamp, json_extract(s.attributes, '$.skill_id') AS skill, p.value FROM metric_points p
             JOIN metric_series s ON s.id = p.series_id WHERE s.name = 'toolweaver_skill_health_score' ORDER BY p.id`,
        )
        .all() as { timestamp: string; skill: string; value: number }[];
      assert.deepEqual(
        points.map((p) => [p.timestamp, p.skill]),
        [
          ['2026-11-28 12:00:10', 'web_search'],
          ['2026-11-28 12:05:20', 'web_search'],
        ],
        'the export 10 s after the first sample writes none',
      );
      assert.equal(points[0]!.value, firstScore);
      assert.equal(points[1]!.value, app.health('web_search').score);
    } finally {
      db.close();
    }
  });

  it('leaves the file on its own at shutdown, readable without -wal and -shm, unless another application still has it open', async () => {
    const path = join(dir, 'ro.db');
    start({ ANALYTICS_DB_PATH: path }).wrap('a', () => 1)();
    const second = startAnalytics({
      env: { HOME: dir, ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    second.wrap('b', () => 1)();
    await second.ready; // its writer thread has the file open
    await analytics!.shutdown();
    assert.ok(existsSync(`${path}-wal`), 'the second application still writes through WAL');
    await second.shutdown();
    assert.deepEqual([existsSync(`${path}-wal`), existsSync(`${path}-shm`)], [false, false]);
    const reader = new Database(path, { readonly: true, fileMustExist: true });
    try {
      assert.equal(reader.pragma('journal_mode', { simple: true }), 'delete');
      assert.deepEqual(reader.prepare('SELECT skill_id, sum(execution_count) AS n FROM skill_usage GROUP BY 1 ORDER BY 1').all(), [
        { skill_id: 'a', n: 1 },
        { skill_id: 'b', n: 1 },
      ]);
    } finally {
      reader.close();
    }
    analytics = start({ ANALYTICS_DB_PATH: path });
    await analytics.ready;
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'the next start turns WAL on again');
    } finally {
      db.close();
    }
  });

  it('starts on a file that is not its database, names it through ready, and leaves it as it was', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'my notes, not a database\n'.repeat(100));
    const app = start({ ANALYTICS_BACKEND: 'sqlite,prometheus', ANALYTICS_DB_PATH: path, PROMETHEUS_PORT: '0' });
    await assert.rejects(
      app.ready,
      (error) => error instanceof DatabaseFileError && error.code === 'TW_DB_FILE' && error.message.includes(path),
    );
    assert.equal(app.wrap('web_search', () => 'still works')(), 'still works');
    await app.shutdown();
    assert.equal(readFileSync(path, 'utf8'), 'my notes, not a database\n'.repeat(100));
  });
});
