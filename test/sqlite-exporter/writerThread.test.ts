import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import sinon from 'sinon';
import { DatabaseFileError } from '../../src/core/errors.js';
import { SqliteMetricReader } from '../../src/exporters/sqlite.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { log } from '../../src/core/log.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { SERIES_PER_BATCH } from '../../src/sqlite-exporter/SeriesBatch.js';
import { SqliteMetricExporter } from '../../src/sqlite-exporter/SqliteMetricExporter.js';

/** A clock the test moves; both pipelines of a comparison read the same one. */
interface TestClock {
  nowMs: number;
  monotonic: number;
}

/** The sqlite backend's pipeline (as createMetricReaders builds it) over `exporter`. */
function pipeline(exporter: SqliteMetricExporter, clock: TestClock, cardinalityLimit = 100_000) {
  const reader = new SqliteMetricReader(exporter, { flushIntervalMs: 3_600_000, cardinalityLimit, retentionDays: 365 });
  const provider = new MeterProvider({ readers: [reader] });
  const skills = SkillMetrics.fromMeterProvider(provider, {
    clock: { now: () => clock.nowMs, monotonic: () => clock.monotonic },
    health: { minCalls: 5 },
  });
  return { provider, skills, exporter };
}

const FAILURES = [undefined, 429, 500, 401, 400] as const;

/**
 * One interval of varied traffic: more users than a batch holds (in several orgs, some past the
 * cardinality limit), failures of several types, anonymous calls, ratings, installs, and calls
 * measured elsewhere, dated a few minutes back.
 */
function traffic(skills: SkillMetrics, clock: TestClock, users: number): void {
  const calls = ['web_search', 'run_sql'].map((id) =>
    skills.wrap(id, (latencyMs: number, status: number | undefined) => {
      clock.monotonic += latencyMs;
      if (status !== undefined) throw Object.assign(new Error(`status ${status}`), { status });
    }),
  );
  for (let user = 0; user < users; user++) {
    skills.withContext({ userId: `user-${user}`, orgId: user % 11 === 0 ? undefined : `org-${user % 7}` }, () => {
      for (const [index, call] of calls.entries()) {
        const status = FAILURES[(user + index) % FAILURES.length];
        try {
          call(3 + ((user * 7 + index) % 900), status);
        } catch {
          // a failure of its type
        }
      }
    });
    if (user % 13 === 0) skills.rate('web_search', 1 + (user % 5), { userId: `user-${user}`, orgId: `org-${user % 7}` });
    if (user % 17 === 0) skills.recordInstall('run_sql', { userId: `user-${user}` });
    if (user % 19 === 0) skills.recordCall('web_search', { latencyMs: 40 + user, at: clock.nowMs - 5 * 60_000, userId: `user-${user}` });
  }
  calls[0]!(12, undefined);
}

/** Every row of every table but toolweaver_meta (created when each file was), as sorted JSON lines. */
function contents(path: string): Record<string, string[]> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'toolweaver_meta' ORDER BY name",
      )
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((table) => [
        table,
        db
          .prepare(`SELECT * FROM ${table}`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

function usage(path: string): { rows: number; calls: number } {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT count(*) AS rows, coalesce(sum(execution_count), 0) AS calls FROM skill_usage').get() as {
      rows: number;
      calls: number;
    };
  } finally {
    db.close();
  }
}

/** The writer threads started while `run` runs, from Node's own 'worker' event. */
async function watchingWorkers<T>(run: (workers: Worker[]) => Promise<T>): Promise<T> {
  const workers: Worker[] = [];
  const started = (worker: Worker): void => void workers.push(worker);
  process.on('worker', started);
  try {
    return await run(workers);
  } finally {
    process.removeListener('worker', started);
  }
}

describe("the SQLite exporter's writer thread", function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-writer-thread-'))));
  afterEach(() => {
    sinon.restore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes exactly the rows and aggregates the in-thread path writes, for the same calls', async () => {
    const users = SERIES_PER_BATCH + 500; // two skills each: several batches per export
    const [threadPath, inThreadPath] = [join(dir, 'thread.db'), join(dir, 'in-thread.db')];
    const inThreadDb = openAnalyticsDatabase(inThreadPath);
    const clock: TestClock = { nowMs: Date.parse('2026-11-28T23:59:45Z'), monotonic: 0 };
    // A limit below the interval's combinations: the rest go to overflow rows, the same in both.
    const limit = 2 * users - 700;
    const both = [
      pipeline(new SqliteMetricExporter({ path: threadPath }), clock, limit),
      pipeline(new SqliteMetricExporter({ database: inThreadDb }), clock, limit),
    ];
    sinon.stub(log, 'warn'); // the overflow warning
    // Three intervals, the last one on the next day (which closes the day before).
    for (let interval = 0; interval < 3; interval++) {
      for (const { skills, provider } of both) {
        traffic(skills, clock, users);
        await provider.forceFlush();
      }
      clock.nowMs += 10_000;
    }
    await Promise.all(both.map(({ provider }) => provider.shutdown()));
    inThreadDb.close();

    const written = contents(threadPath);
    assert.deepEqual(written, contents(inThreadPath));
    const overflowRows = written['skill_usage']!.filter((row) => JSON.parse(row).overflow === 1).length;
    assert.ok(
      overflowRows > 0 && written['skill_usage']!.length > 3 * limit,
      `${written['skill_usage']!.length} rows, ${overflowRows} overflow`,
    );
    assert.ok(written['skill_usage_by_day']!.length > 0, 'the first day was closed');
    assert.ok(written['metric_points']!.length > 0, 'the health samples');
  });

  it('writes an export of many batches in one transaction: none of it while the file is locked, all of it after', async () => {
    const path = join(dir, 'locked.db');
    const clock: TestClock = { nowMs: Date.parse('2026-11-28T12:00:00Z'), monotonic: 0 };
    const { skills, provider, exporter } = pipeline(new SqliteMetricExporter({ path, busyTimeoutMs: 20 }), clock);
    await exporter.ready;
    const locker = new Database(path);
    locker.prepare('BEGIN EXCLUSIVE').run();
    const users = 3 * SERIES_PER_BATCH;
    const call = skills.wrap('web_search', () => 'ok');
    for (let user = 0; user < users; user++) skills.withContext({ userId: `user-${user}` }, call);
    await provider.forceFlush();
    assert.equal((locker.prepare('SELECT count(*) AS n FROM skill_usage').get() as { n: number }).n, 0);
    assert.ok(exporter.pendingRows >= users, `the rows wait in the writer thread: ${exporter.pendingRows}`);
    locker.prepare('ROLLBACK').run();
    locker.close();
    await provider.forceFlush();
    assert.equal(exporter.pendingRows, 0);
    assert.deepEqual(usage(path), { rows: users, calls: users });
    await provider.shutdown();
  });

  it('says, in calls, what a writer thread that stops takes with it, and writes the next export with a new one', async () => {
    const path = join(dir, 'stopped.db');
    const clock: TestClock = { nowMs: Date.parse('2026-11-28T12:00:00Z'), monotonic: 0 };
    await watchingWorkers(async (workers) => {
      const { skills, provider, exporter } = pipeline(new SqliteMetricExporter({ path, busyTimeoutMs: 20 }), clock);
      await exporter.ready;
      const call = skills.wrap('web_search', () => 'ok');
      for (let i = 0; i < 10; i++) skills.withContext({ userId: 'early' }, call);
      await provider.forceFlush();
      // Held by another connection: the next calls wait in the thread's retry buffer.
      const locker = new Database(path);
      locker.prepare('BEGIN EXCLUSIVE').run();
      for (let i = 0; i < 7; i++) skills.withContext({ userId: 'waiting' }, call);
      await provider.forceFlush();
      assert.equal(exporter.pendingRows, 1);
      const error = sinon.stub(log, 'error');
      assert.equal(workers.length, 1);
      await workers[0]!.terminate();
      assert.deepEqual(
        error.getCalls().map((c) => String(c.args[0])),
        [
          `the SQLite writer thread for ${path} stopped (it exited with code 1): the 7 calls it had not written are lost; the next export starts a new one`,
        ],
      );
      locker.prepare('ROLLBACK').run();
      locker.close();
      for (let i = 0; i < 5; i++) skills.withContext({ userId: 'late' }, call);
      await provider.forceFlush();
      await provider.shutdown();
      assert.equal(workers.length, 2, 'a new thread took the next export');
      assert.deepEqual(usage(path), { rows: 2, calls: 15 });
    });
  });

  it('rejects ready with the DatabaseFileError of the file, its reason and code, from the writer thread', async () => {
    const path = join(dir, 'notes.db');
    writeFileSync(path, 'my notes, not a database\n'.repeat(100));
    const error = sinon.stub(log, 'error');
    const exporter = new SqliteMetricExporter({ path });
    await assert.rejects(exporter.ready, (problem) => {
      assert.ok(problem instanceof DatabaseFileError);
      assert.deepEqual([problem.code, problem.reason, problem.path], ['TW_DB_FILE', 'not-a-database', path]);
      assert.match(problem.message, /is not a SQLite database/);
      return true;
    });
    await exporter.shutdown();
    assert.match(String(error.firstCall.args[0]), /not a SQLite database.*the application goes on/);
  });

  it("writes a database the application opened, and ':memory:', in the application's thread", async () => {
    await watchingWorkers(async (workers) => {
      const database = openAnalyticsDatabase(join(dir, 'own.db'));
      const exporters = [new SqliteMetricExporter({ database }), new SqliteMetricExporter({ path: ':memory:' })];
      await Promise.all(exporters.map((exporter) => exporter.ready));
      await Promise.all(exporters.map((exporter) => exporter.shutdown()));
      database.close();
      assert.equal(workers.length, 0);
    });
  });
});
