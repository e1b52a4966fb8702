import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ViewOptions } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import { FAILURES, LATENCY } from '../../src/instruments/names.js';
import { skill } from '../../src/instruments/skillDecorator.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';

/** Rows of every table of the database at `path`, by table. */
function rowCounts(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT count(*) FROM "${table}"`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

describe('the sqlite backend and series that start at 0', () => {
  let dir: string;
  let analytics: Analytics | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-zero-'))));
  afterEach(async () => {
    await analytics?.shutdown();
    analytics = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  /** startAnalytics with the sqlite backend alone on a real file, pushing only when flushed. */
  async function started(views: ViewOptions[] = []): Promise<{ app: Analytics; path: string }> {
    const path = join(dir, 'analytics.db');
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['sqlite'],
      sqlite: { path, flushIntervalMs: 3_600_000 },
      views,
    });
    await analytics.ready;
    await analytics.flush();
    return { app: analytics, path };
  }

  /** Registers skills every way there is, none of them called. */
  function registerEveryWay(app: Analytics): () => number {
    app.wrap('wrapped', () => 1);
    app.wrap('with_agent', () => 1, { agentName: 'planner' });
    app.startTimer('timed');
    class Tools {
      @skill('decorated')
      search(): number {
        return 1;
      }
    }
    return () => new Tools().search();
  }

  it('writes no row for skills registered and never called, in any table; their first call writes its rows', async () => {
    const { app, path } = await started();
    const before = rowCounts(path);
    const search = registerEveryWay(app);
    await app.flush();
    assert.deepEqual(rowCounts(path), before);
    search();
    await app.flush();
    const after = rowCounts(path);
    assert.ok(
      (after['skill_usage'] ?? 0) > (before['skill_usage'] ?? 0),
      `skill_usage: ${before['skill_usage']} -> ${after['skill_usage']}`,
    );
  });

  it('stores no empty point of ours that a View renamed into a generic metric; the renamed failures of a call are stored', async () => {
    const { app, path } = await started([
      { instrumentName: LATENCY.name, name: 'tool_latency_ms' },
      { instrumentName: FAILURES.name, name: 'tool_failures_total' },
    ]);
    const before = rowCounts(path);
    registerEveryWay(app);
    await app.flush();
    assert.deepEqual(rowCounts(path), before);
    assert.throws(
      app.wrap('failing', () => {
        throw Object.assign(new Error('slow'), { code: 'ETIMEDOUT' });
      }),
    );
    await app.flush();
    const db = new Database(path, { readonly: true });
    try {
      const stored = db.prepare('SELECT name, attributes FROM metric_series ORDER BY name, attributes').all();
      assert.deepEqual(stored, [
        { name: 'tool_failures_total', attributes: JSON.stringify({ error_type: 'timeout', skill_id: 'failing' }) },
        { name: 'tool_latency_ms', attributes: JSON.stringify({ outcome: 'failure', skill_id: 'failing' }) },
      ]);
    } finally {
      db.close();
    }
  });
});
