import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/loadConfig.js';
import { createMetricReaders } from '../../src/exporters/createMetricReaders.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, TestReader } from '../helpers/collect.js';

interface UsageRow {
  skill_id: string;
  user_id: string | null;
  org_id: string | null;
  calls: number;
  failures: number;
}

function usage(path: string): UsageRow[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT skill_id, user_id, org_id, sum(execution_count) AS calls, sum(failure_count) AS failures
           FROM skill_usage GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      )
      .all() as UsageRow[];
  } finally {
    db.close();
  }
}

/** The same calls, made for two users of two orgs and one anonymous caller. */
function traffic(skills: SkillMetrics): void {
  const search = skills.wrap('web_search', (fail?: boolean) => {
    if (fail === true) throw Object.assign(new Error('slow down'), { status: 429 });
    return 'ok';
  });
  skills.withContext({ userId: 'alice', orgId: 'acme' }, () => {
    search();
    search();
    assert.throws(() => search(true));
  });
  skills.withContext({ userId: 'bob', orgId: 'globex' }, () => search());
  search();
}

const EXPECTED: UsageRow[] = [
  { skill_id: 'web_search', user_id: null, org_id: null, calls: 1, failures: 0 },
  { skill_id: 'web_search', user_id: 'alice', org_id: 'acme', calls: 3, failures: 1 },
  { skill_id: 'web_search', user_id: 'bob', org_id: 'globex', calls: 1, failures: 0 },
];

describe('your own MeterProvider', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-own-provider-'))));
  afterEach(() => {
    metrics.disable();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same per-user and per-org rows as startAnalytics, with the three lines of docs/backends.md', async () => {
    // docs/backends.md, "Your own MeterProvider", as written there (env passed instead of process.env).
    const appReader = new TestReader();
    const provider = new MeterProvider({
      readers: [appReader, ...createMetricReaders(loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'own.db') }))],
    });
    const skills = SkillMetrics.fromMeterProvider(provider);
    traffic(skills);
    await provider.shutdown();

    const analytics = startAnalytics({ env: { HOME: dir, ANALYTICS_DB_PATH: join(dir, 'started.db') }, flushOnExit: false });
    traffic(analytics.skills);
    await analytics.shutdown();

    assert.deepEqual(usage(join(dir, 'own.db')), EXPECTED);
    assert.deepEqual(usage(join(dir, 'started.db')), EXPECTED);
  });

  it('keeps users off the metric labels while SQLite has them', async () => {
    const appReader = new TestReader();
    const provider = new MeterProvider({
      readers: [appReader, ...createMetricReaders(loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'a.db') }))],
    });
    traffic(SkillMetrics.fromMeterProvider(provider));
    const collected = await collectByName(appReader);
    const attributes = collected.get('toolweaver_skill_executions_total')!.dataPoints.map((point) => point.attributes);
    assert.deepEqual(attributes, [{ skill_id: 'web_search' }]);
    await provider.shutdown();
    assert.deepEqual(usage(join(dir, 'a.db')), EXPECTED);
  });

  it('never writes one pipeline into the file of another in the same process', async () => {
    const first = new MeterProvider({ readers: createMetricReaders(loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'first.db') })) });
    const second = new MeterProvider({
      readers: createMetricReaders(loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'second.db') })),
    });
    const one = SkillMetrics.fromMeterProvider(first);
    const other = SkillMetrics.fromMeterProvider(second);
    one.withContext({ userId: 'u1' }, () => one.wrap('only_first', () => 1)());
    other.withContext({ userId: 'u2' }, () => other.wrap('only_second', () => 2)());
    // Each provider's exports, collections and link probes run several times, interleaved.
    await Promise.all([first.forceFlush(), second.forceFlush(), first.forceFlush()]);
    SkillMetrics.fromMeterProvider(new MeterProvider()); // a third SkillMetrics asks every reader to link
    one.wrap('only_first', () => 1)();
    await Promise.all([first.shutdown(), second.shutdown()]);
    assert.deepEqual(
      usage(join(dir, 'first.db')).map((row) => [row.skill_id, row.user_id, row.calls]),
      [
        ['only_first', null, 1],
        ['only_first', 'u1', 1],
      ],
    );
    assert.deepEqual(
      usage(join(dir, 'second.db')).map((row) => [row.skill_id, row.user_id, row.calls]),
      [['only_second', 'u2', 1]],
    );
  });

  it('reaches the SQLite reader of the global provider through SkillMetrics.fromGlobal()', async () => {
    const provider = new MeterProvider({
      readers: createMetricReaders(loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'global.db') })),
    });
    metrics.setGlobalMeterProvider(provider);
    traffic(SkillMetrics.fromGlobal());
    await provider.shutdown();
    assert.deepEqual(usage(join(dir, 'global.db')), EXPECTED);
  });

  it('stops keeping the per-user record once the SQLite reader has shut down', async () => {
    const provider = new MeterProvider({ readers: createMetricReaders(loadConfig({ HOME: dir, ANALYTICS_DB_PATH: join(dir, 'b.db') })) });
    const skills = SkillMetrics.fromMeterProvider(provider);
    assert.equal(skills.recorder.details.length, 1, 'linked at once, before any export');
    await provider.shutdown();
    assert.equal(skills.recorder.details.length, 0);
  });

  it('keeps no per-user record without a SQLite reader', () => {
    const provider = new MeterProvider({ readers: [new TestReader()] });
    const skills = SkillMetrics.fromMeterProvider(provider);
    assert.equal(skills.recorder.details.length, 0);
  });
});
