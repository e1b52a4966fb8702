import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { log as diag } from '../../src/core/log.js';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import sinon from 'sinon';
import { SqliteMetricReader } from '../../src/exporters/sqlite.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { SqliteMetricExporter } from '../../src/sqlite-exporter/SqliteMetricExporter.js';

/** The SQLite backend's pipeline over a connection the test controls. */
function pipeline(database: Database.Database, bufferRows = 1000) {
  const exporter = new SqliteMetricExporter({ database, bufferRows });
  const reader = new SqliteMetricReader(exporter, { flushIntervalMs: 3_600_000, cardinalityLimit: 1000, retentionDays: 365 });
  const provider = new MeterProvider({ readers: [reader] });
  const skills = SkillMetrics.fromMeterProvider(provider);
  const call = skills.wrap('web_search', () => 'ok');
  return { skills, exporter, provider, call };
}

function totalExecutions(path: string): { executions: number; rows: number } {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT coalesce(sum(execution_count), 0) executions, count(*) rows FROM skill_usage').get() as {
      executions: number;
      rows: number;
    };
  } finally {
    db.close();
  }
}

/** What our logger was given, as text. */
function logged(spy: sinon.SinonStub): string {
  return spy
    .getCalls()
    .map((call) => call.args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' '))
    .join('\n');
}

describe('SQLite writes that fail lose no count', () => {
  let dir: string;
  let path: string;
  let errors: sinon.SinonStub;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-failures-'));
    path = join(dir, 'analytics.db');
    errors = sinon.stub(diag, 'error');
  });
  afterEach(() => {
    sinon.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the rows while another process holds the lock, then writes them all', async () => {
    const { skills, exporter, provider, call } = pipeline(openAnalyticsDatabase(path, { busyTimeoutMs: 20 }));
    const locker = new Database(path);
    locker.prepare('BEGIN EXCLUSIVE').run();
    for (let round = 0; round < 4; round++) {
      skills.withContext({ userId: `u${round}` }, call);
      await provider.forceFlush();
    }
    assert.match(logged(errors), new RegExp(`${path.replace(/[/.]/g, '\\$&')} is locked by another connection past the busy timeout`));
    assert.ok(exporter.pendingRows >= 4, `rows wait: ${exporter.pendingRows}`);
    locker.prepare('COMMIT').run();
    locker.close();
    skills.withContext({ userId: 'after' }, call);
    await provider.forceFlush();
    assert.equal(exporter.pendingRows, 0);
    assert.deepEqual(totalExecutions(path), { executions: 5, rows: 5 });
    await provider.shutdown();
  });

  it('says the disk is full, keeps the rows, and writes them once there is room', async () => {
    const database = openAnalyticsDatabase(path);
    const { skills, exporter, provider, call } = pipeline(database);
    const pages = (database.pragma('page_count', { simple: true }) as number) + 0;
    database.pragma(`max_page_count = ${pages}`);
    for (let user = 0; user < 300; user++) skills.withContext({ userId: `user-${user}` }, call);
    await provider.forceFlush();
    assert.match(
      logged(errors),
      /the disk holding .*analytics\.db is full \(or the database reached its max_page_count\): free space, or lower ANALYTICS_DB_RETENTION_DAYS/,
    );
    assert.equal(exporter.pendingRows, 301, "300 users' rows and the health sample");
    database.pragma('max_page_count = 1073741823');
    await provider.forceFlush();
    assert.deepEqual(totalExecutions(path), { executions: 300, rows: 300 });
    await provider.shutdown();
    database.close();
  });

  it('says a read-only database needs write permission, and the application keeps running', async () => {
    openAnalyticsDatabase(path).close();
    const { call, provider, exporter } = pipeline(new Database(path, { readonly: true }));
    assert.equal(call(), 'ok');
    await provider.forceFlush();
    assert.match(logged(errors), /is read-only for this process: give it write permission on the file and its directory/);
    assert.equal(exporter.pendingRows, 1);
    await provider.shutdown().catch(() => undefined);
  });

  it('writes every user of an interval that holds more users than the buffer bound, when nothing fails', async () => {
    const { skills, provider } = pipeline(openAnalyticsDatabase(path), 100);
    const call = skills.wrap('web_search', () => 1);
    for (let user = 0; user < 1000; user++) skills.withContext({ userId: `u${user}` }, call);
    await provider.forceFlush();
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        db.prepare('SELECT count(DISTINCT user_id) users, sum(execution_count) calls, sum(overflow) folded FROM skill_usage').get(),
        {
          users: 1000,
          calls: 1000,
          folded: 0,
        },
      );
    } finally {
      db.close();
    }
    await provider.shutdown();
  });

  it('folds only the oldest rows past the bound while writes fail, keeping the newest users apart', async () => {
    const { skills, exporter, provider } = pipeline(openAnalyticsDatabase(path, { busyTimeoutMs: 5 }), 10);
    const call = skills.wrap('web_search', () => 1);
    const locker = new Database(path);
    locker.prepare('BEGIN EXCLUSIVE').run();
    for (let round = 0; round < 3; round++) {
      for (let user = 0; user < 4; user++) skills.withContext({ userId: `r${round}-u${user}` }, call);
      await provider.forceFlush();
    }
    assert.ok(exporter.pendingRows <= 10, `bounded: ${exporter.pendingRows}`);
    locker.prepare('ROLLBACK').run();
    locker.close();
    await provider.forceFlush();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal((db.prepare('SELECT sum(execution_count) n FROM skill_usage').get() as { n: number }).n, 12, 'every call counted');
      const users = db.prepare('SELECT user_id FROM skill_usage ORDER BY 1').all() as { user_id: string | null }[];
      // 12 rows, 10 may wait: the 3 oldest fold into one, just enough; the rest keep their users.
      assert.deepEqual(
        users.map((row) => row.user_id),
        [null, 'r0-u3', 'r1-u0', 'r1-u1', 'r1-u2', 'r1-u3', 'r2-u0', 'r2-u1', 'r2-u2', 'r2-u3'],
      );
    } finally {
      db.close();
    }
    await provider.shutdown();
  });

  it('keeps ratings of calls while the file is locked, drops the oldest past the bound and says so, then writes the rest', async () => {
    const warn = sinon.stub(diag, 'warn');
    const { skills, exporter, provider } = pipeline(openAnalyticsDatabase(path, { busyTimeoutMs: 5 }), 4);
    const locker = new Database(path);
    locker.prepare('BEGIN EXCLUSIVE').run();
    for (let round = 0; round < 3; round++) {
      for (let call = 0; call < 3; call++) skills.rate('web_search', 1 + call, { userId: 'u1', callId: `r${round}-c${call}` });
      await provider.forceFlush();
    }
    // 3 wait, then 6 (2 dropped), then 7 (3 more dropped): the 4 latest are kept.
    assert.match(String(warn.lastCall.args[0]), /, and 5 ratings of calls were dropped so far\.$/);
    locker.prepare('ROLLBACK').run();
    locker.close();
    await provider.forceFlush();
    assert.equal(exporter.pendingRows, 0);
    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT call_id FROM skill_call_rating ORDER BY 1').pluck().all(), ['r1-c2', 'r2-c0', 'r2-c1', 'r2-c2']);
      assert.deepEqual(db.prepare('SELECT rating_count, rating_sum FROM skill_metrics').get(), {
        rating_count: 4,
        rating_sum: 3 + 1 + 2 + 3,
      });
    } finally {
      db.close();
    }
    await provider.shutdown();
  });

  it('folds the oldest rows per skill when the buffer is full, keeping every count', async () => {
    const warn = sinon.stub(diag, 'warn');
    const { skills, exporter, provider, call } = pipeline(openAnalyticsDatabase(path, { busyTimeoutMs: 5 }), 10);
    const locker = new Database(path);
    locker.prepare('BEGIN EXCLUSIVE').run();
    for (let round = 0; round < 3; round++) {
      for (let user = 0; user < 8; user++) skills.withContext({ userId: `r${round}-u${user}` }, call);
      await provider.forceFlush();
    }
    assert.ok(exporter.pendingRows <= 10, `bounded: ${exporter.pendingRows}`);
    assert.match(
      String(warn.lastCall.args[0]),
      /retry buffer is full \(ANALYTICS_DB_BUFFER_ROWS\): \d+ usage rows were folded into per-skill overflow rows/,
    );
    locker.prepare('ROLLBACK').run();
    locker.close();
    await provider.forceFlush();
    assert.equal(totalExecutions(path).executions, 24, 'every call is still counted');
    const db = new Database(path, { readonly: true });
    assert.ok((db.prepare('SELECT count(*) n FROM skill_usage WHERE overflow = 1 AND user_id IS NULL').get() as { n: number }).n >= 1);
    db.close();
    await provider.shutdown();
  });
});
