import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/loadConfig.js';
import { InvalidCallError } from '../../src/core/errors.js';
import { createMetricReaders } from '../../src/exporters/createMetricReaders.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, histogramOf, TestReader, pointValue } from '../helpers/collect.js';

const NOW = Date.parse('2026-12-07T15:30:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('recordCall: a call measured elsewhere', () => {
  let dir: string;
  let provider: MeterProvider;
  let reader: TestReader;
  let skills: SkillMetrics;
  let now: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-record-call-'));
    now = NOW;
    reader = new TestReader();
    const config = loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'a.db'), ANALYTICS_DB_RETENTION_DAYS: '30' });
    provider = new MeterProvider({ readers: [reader, ...createMetricReaders(config)] });
    skills = SkillMetrics.fromMeterProvider(provider, { clock: { now: () => now, monotonic: () => 0 } });
  });
  afterEach(async () => {
    await provider.shutdown().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  function rows(): {
    hour: string;
    user_id: string | null;
    org_id: string | null;
    calls: number;
    failures: number;
    rate_limited: number;
    latency_sum: number;
  }[] {
    const db = new Database(join(dir, 'a.db'), { readonly: true });
    try {
      return db
        .prepare(
          `SELECT strftime('%Y-%m-%d %H:00:00', timestamp) AS hour, user_id, org_id, sum(execution_count) AS calls, sum(failure_count) AS failures,
                  sum(rate_limited_count) AS rate_limited, sum(avg_latency_ms * execution_count) AS latency_sum
             FROM skill_usage GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
        )
        .all() as never;
    } finally {
      db.close();
    }
  }

  it('counts the call in the metric backends now, and in SQLite in the hour it was made', async () => {
    skills.recordCall('web_search', { latencyMs: 120, at: NOW - 5 * HOUR, userId: 'alice', orgId: 'acme' });
    skills.recordCall('web_search', { latencyMs: 80, at: new Date(NOW - 2 * DAY), userId: 42, orgId: 7 });
    skills.recordCall('web_search', { latencyMs: 3000, error: Object.assign(new Error('slow down'), { status: 429 }) });
    skills.withContext({ userId: 'carol' }, () => skills.recordCall('web_search', { latencyMs: 10, errorType: 'timeout' }));
    const collected = await collectByName(reader);
    assert.equal(pointValue(collected, 'toolweaver_skill_executions_total', { skill_id: 'web_search' }), 4);
    assert.equal(pointValue(collected, 'toolweaver_skill_failures_total', { skill_id: 'web_search', error_type: 'rate_limited' }), 1);
    assert.equal(pointValue(collected, 'toolweaver_skill_failures_total', { skill_id: 'web_search', error_type: 'timeout' }), 1);
    assert.equal(histogramOf(collected, 'toolweaver_skill_latency_milliseconds', { skill_id: 'web_search', outcome: 'success' })?.sum, 200);
    await provider.forceFlush();
    assert.deepEqual(rows(), [
      { hour: '2026-12-05 15:00:00', user_id: '42', org_id: '7', calls: 1, failures: 0, rate_limited: 0, latency_sum: 80 },
      { hour: '2026-12-07 10:00:00', user_id: 'alice', org_id: 'acme', calls: 1, failures: 0, rate_limited: 0, latency_sum: 120 },
      { hour: '2026-12-07 15:00:00', user_id: null, org_id: null, calls: 1, failures: 1, rate_limited: 1, latency_sum: 3000 },
      { hour: '2026-12-07 15:00:00', user_id: 'carol', org_id: null, calls: 1, failures: 1, rate_limited: 0, latency_sum: 10 },
    ]);
    const db = new Database(join(dir, 'a.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT hour, org_id, execution_count AS calls FROM skill_usage_hourly ORDER BY hour, org_id').all(), [
        { hour: '2026-12-05 15:00:00', org_id: '7', calls: 1 },
        { hour: '2026-12-07 10:00:00', org_id: 'acme', calls: 1 },
        { hour: '2026-12-07 15:00:00', org_id: '', calls: 2 },
      ]);
    } finally {
      db.close();
    }
  });

  it('groups calls replayed for one minute into one row', async () => {
    for (let second = 0; second < 60; second++) skills.recordCall('replayed', { latencyMs: 5, at: NOW - DAY + second * 1000 });
    await provider.forceFlush();
    assert.deepEqual(rows(), [
      { hour: '2026-12-06 15:00:00', user_id: null, org_id: null, calls: 60, failures: 0, rate_limited: 0, latency_sum: 300 },
    ]);
  });

  it('refuses, before counting anything, what cannot be a call', () => {
    const refused: [unknown, RegExp, new (...args: never[]) => Error][] = [
      [{ latencyMs: -1 }, /latencyMs must be a finite number of milliseconds, 0 or more, got -1/, InvalidCallError],
      [{ latencyMs: Number.NaN }, /got NaN/, InvalidCallError],
      [{ latencyMs: Number.POSITIVE_INFINITY }, /got Infinity/, InvalidCallError],
      [{ latencyMs: '12' }, /latencyMs must be a number of milliseconds, got string/, TypeError],
      [{}, /latencyMs must be a number/, TypeError],
      [null, /takes an object such as \{ latencyMs: 120 \}/, TypeError],
      [{ latencyMs: 1, errorType: 'exploded' }, /errorType "exploded" is not one of timeout, cancelled/, InvalidCallError],
      [{ latencyMs: 1, at: NOW + 2 * 60_000 }, /is in the future/, InvalidCallError],
      [{ latencyMs: 1, at: new Date('not a date') }, /at is not a valid time/, InvalidCallError],
      [{ latencyMs: 1, at: '2026-12-01' }, /at must be a Date or epoch milliseconds, got string/, TypeError],
      [{ latencyMs: 1, at: NOW - 31 * DAY }, /older than the database keeps \(ANALYTICS_DB_RETENTION_DAYS/, InvalidCallError],
      [
        { latencyMs: 1, userId: { id: 1 } },
        /userId must be a string of at most 256 printable characters or a number, got object/,
        TypeError,
      ],
      [
        { latencyMs: 1, orgId: 'a\nb' },
        /orgId must be a string of at most 256 printable characters or a number, got another string/,
        TypeError,
      ],
    ];
    for (const [call, message, type] of refused) {
      assert.throws(
        () => skills.recordCall('web_search', call as never),
        (error: Error) => error instanceof type && message.test(error.message),
        JSON.stringify(call),
      );
    }
    assert.throws(() => skills.recordCall('', { latencyMs: 1 }), TypeError);
    assert.equal(skills.recorder.registry.skill('web_search').base.executions, 0, 'nothing was counted');
  });

  it('is on the analytics of startAnalytics too', async () => {
    const analytics = startAnalytics({
      env: { HOME: dir, ANALYTICS_DB_PATH: join(dir, 'b.db') },
      flushOnExit: false,
      clock: { now: () => now, monotonic: () => 0 },
    });
    analytics.recordCall('send_email', { latencyMs: 250, at: NOW - HOUR, userId: 'dave' });
    await analytics.shutdown();
    const db = new Database(join(dir, 'b.db'), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT user_id, timestamp, execution_count FROM skill_usage').all(), [
        { user_id: 'dave', timestamp: '2026-12-07 14:30:00', execution_count: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});
