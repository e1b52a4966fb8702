import assert from 'node:assert/strict';
import { ValueType } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import sinon from 'sinon';
import { SqliteMetricExporter } from '../../src/sqlite-exporter/SqliteMetricExporter.js';
import { log } from '../../src/core/log.js';
import { mapExport } from '../../src/sqlite-exporter/mapping.js';
import { emptyRow } from '../../src/sqlite-exporter/rows.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../../src/instruments/perCallColumns.js';
import { detailProvider, testProvider } from '../helpers/collect.js';

const T0 = Date.parse('2026-11-28T10:00:00Z');

/** A recorder with per-user detail, read by a reader like the SQLite backend's. */
function detailSetup() {
  const { skills, detailReader: reader, provider } = detailProvider();
  return { skills, reader, provider };
}

describe('mapping exports to SQLite rows', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => (clock = sinon.useFakeTimers({ now: T0, toFake: ['performance', 'Date'] })));
  afterEach(() => clock.restore());

  it('starts a row with a zero for every latency bucket and error type column of skill_usage', () => {
    const row = emptyRow('web_search', 'alice', 'acme', '2026-11-28 09:59:00', '2026-11-28 10:00:00', false);
    assert.deepEqual(
      row.latencyBuckets,
      LATENCY_BUCKET_COLUMNS.map(() => 0),
    );
    assert.deepEqual(
      row.errors,
      ERROR_COLUMNS.map(() => 0),
    );
    assert.deepEqual(row.stars, [0, 0, 0, 0, 0]);
  });

  it('makes one skill_usage row per skill, user and org of the interval, with hand-checked totals', async () => {
    const { skills, reader } = detailSetup();
    const search = skills.wrap('web_search', (ms: number, fail?: number) => {
      clock.tick(ms);
      if (fail !== undefined) throw Object.assign(new Error('x'), { status: fail });
    });
    skills.withContext({ userId: 'u1', orgId: 'acme' }, () => {
      search(120);
      search(30);
      assert.throws(() => search(3000, 503));
    });
    skills.withContext({ userId: 'u2', orgId: 'acme' }, () => search(7));
    search(1); // outside any context
    skills.rate('web_search', 5, { userId: 'u1', orgId: 'acme' });
    skills.rate('web_search', 4, { userId: 'u1', orgId: 'acme' });
    skills.recordInstall('web_search', { userId: 'u2', orgId: 'acme' });

    const { usage, points } = mapExport((await reader.collect()).resourceMetrics);
    assert.deepEqual(points, []);
    const byUser = new Map(usage.map((row) => [row.userId, row]));
    assert.equal(usage.length, 3);
    const u1 = byUser.get('u1')!;
    assert.equal(u1.skillId, 'web_search');
    assert.equal(u1.orgId, 'acme');
    assert.equal(u1.timestamp, '2026-11-28 10:00:03');
    assert.equal(u1.intervalStart, '2026-11-28 10:00:00');
    assert.deepEqual([u1.executions, u1.successes, u1.failures], [3, 2, 1]);
    assert.equal(u1.latencySumMs, 3150); // 120 + 30 + 3000
    // bounds 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000 …: 30 → (25,50], 120 → (100,250], 3000 → (2500,5000]
    assert.deepEqual(u1.latencyBuckets, [0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
    assert.deepEqual([u1.latencyMinMs, u1.latencyMaxMs], [30, 3000]);
    assert.deepEqual(u1.errors, [0, 0, 0, 0, 0, 1, 0], 'one upstream failure');
    assert.deepEqual([u1.ratingCount, u1.ratingSum, u1.stars], [2, 9, [0, 0, 0, 1, 1]]);
    assert.deepEqual([byUser.get('u2')!.executions, byUser.get('u2')!.installs], [1, 1]);
    const nobody = byUser.get(null)!;
    assert.deepEqual([nobody.orgId, nobody.executions, nobody.overflow], [null, 1, false]);
  });

  it('starts the next interval empty, so idle users leave nothing behind', async () => {
    const { skills, reader } = detailSetup();
    skills.withContext({ userId: 'u1' }, () => skills.wrap('a', () => 1)());
    assert.equal(mapExport((await reader.collect()).resourceMetrics).usage.length, 1);
    clock.tick(10_000);
    assert.deepEqual(mapExport((await reader.collect()).resourceMetrics).usage, []);
  });

  it('leaves out our metrics as the Meter reports them, and stores the exact record and the health sample instead', async () => {
    const { skills, detailReader: reader } = detailProvider({ health: { minCalls: 1 } });
    const call = skills.wrap('run_sql', () => clock.tick(20));
    call();
    call();
    const first = mapExport((await reader.collect()).resourceMetrics);
    assert.deepEqual(
      first.usage.map((row) => [row.skillId, row.userId, row.executions, row.latencySumMs]),
      [['run_sql', null, 2, 40]],
    );
    clock.tick(10_000);
    call();
    const second = mapExport((await reader.collect()).resourceMetrics);
    assert.deepEqual(
      second.usage.map((row) => [row.executions, row.successes, row.latencySumMs, row.intervalStart]),
      [[1, 1, 20, '2026-11-28 10:00:00']],
    );
    clock.tick(10_000);
    const third = mapExport((await reader.collect()).resourceMetrics);
    assert.deepEqual(third.usage, [], 'nothing new, no row');
    // The health gauge has no skill_usage column: its sample is a generic point, once per 5 minutes.
    assert.deepEqual(
      first.points.map((point) => [point.name, point.type, point.attributes]),
      [['toolweaver_skill_health_score', 'gauge', '{"skill_id":"run_sql"}']],
    );
    assert.deepEqual([second.points, third.points], [[], []], "the Meter's copies of our metrics are never stored again");
  });

  it('stores every other metric as generic points, histograms with their buckets', async () => {
    const { provider, reader } = testProvider();
    const meter = provider.getMeter('my-app', '2.0.0');
    meter.createCounter('tokens_used', { unit: '{token}', description: 'LLM tokens' }).add(1500, { model: 'large', kind: 'input' });
    meter.createHistogram('queue_wait', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 1] } }).record(0.5);
    meter.createObservableGauge('queue_depth').addCallback((result) => result.observe(7));
    const { usage, points } = mapExport((await reader.collect()).resourceMetrics);
    assert.deepEqual(usage, []);
    const byName = new Map(points.map((point) => [point.name, point]));
    assert.deepEqual(
      { ...byName.get('tokens_used'), startTime: undefined },
      {
        name: 'tokens_used',
        description: 'LLM tokens',
        unit: '{token}',
        type: 'sum',
        temporality: 'cumulative',
        monotonic: true,
        scopeName: 'my-app',
        scopeVersion: '2.0.0',
        attributes: '{"kind":"input","model":"large"}',
        startTime: undefined,
        timestamp: '2026-11-28 10:00:00',
        value: 1500,
        count: null,
        sum: null,
        min: null,
        max: null,
        bounds: null,
        bucketCounts: null,
      },
    );
    const wait = byName.get('queue_wait')!;
    assert.deepEqual([wait.type, wait.count, wait.sum, wait.bounds, wait.bucketCounts], ['histogram', 1, 0.5, '[0.1,1]', '[0,1,0]']);
    assert.deepEqual([byName.get('queue_depth')!.type, byName.get('queue_depth')!.value], ['gauge', 7]);
  });

  it('counts users past the per-interval limit in one overflow row per skill', async () => {
    const { skills, detailReader: reader } = detailProvider({}, 2);
    const warn = sinon.stub(log, 'warn');
    try {
      const call = skills.wrap('a', () => 1);
      for (const userId of ['u1', 'u2', 'u3', 'u4', 'u5']) skills.withContext({ userId }, call);
      const { usage } = mapExport((await reader.collect()).resourceMetrics);
      const overflow = usage.filter((row) => row.overflow);
      assert.deepEqual(
        overflow.map((row) => [row.skillId, row.userId, row.executions]),
        [['a', null, 3]],
      );
      assert.equal(
        usage.reduce((sum, row) => sum + row.executions, 0),
        5,
        'no call lost',
      );
      assert.match(String(warn.firstCall.args[0]), /more than 2 skill, user and org combinations.*ANALYTICS_DB_CARDINALITY_LIMIT/);
    } finally {
      warn.restore();
    }
  });
});

describe('metrics of a shape the exporter does not know', () => {
  afterEach(() => sinon.restore());

  /** An export with a good counter, a point type from a future SDK, and a histogram without buckets. */
  function strangeExport(): ResourceMetrics {
    const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: ValueType.DOUBLE });
    const time: [number, number] = [1_795_860_000, 0];
    const point = (value: unknown) => ({ attributes: {}, startTime: time, endTime: time, value });
    return {
      resource: resourceFromAttributes({}),
      scopeMetrics: [
        {
          scope: { name: 'my-app' },
          metrics: [
            {
              descriptor: descriptor('good'),
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.SUM,
              isMonotonic: true,
              dataPoints: [point(3)],
            },
            {
              descriptor: descriptor('future'),
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: 9 as DataPointType,
              dataPoints: [point({ odd: true })],
            },
            {
              descriptor: descriptor('broken'),
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.HISTOGRAM,
              dataPoints: [point({ count: 1 })],
            },
          ] as MetricData[],
        },
      ],
    };
  }

  it('maps what it can and names the rest', () => {
    const { points, skipped } = mapExport(strangeExport());
    assert.deepEqual(
      points.map((point) => [point.name, point.value]),
      [['good', 3]],
    );
    assert.deepEqual(skipped, [
      { name: 'future', reason: 'its data point type 9 is not one this version stores' },
      { name: 'broken', reason: '1 of its histogram points have no value this version can read' },
    ]);
  });

  it('stores the rest in the database and says once what it could not store', async () => {
    const warn = sinon.stub(log, 'warn');
    const exporter = new SqliteMetricExporter({ path: ':memory:' });
    const exported = (): Promise<number> => new Promise((resolve) => exporter.export(strangeExport(), (result) => resolve(result.code)));
    assert.deepEqual([await exported(), await exported()], [0, 0]);
    const messages = warn.getCalls().map((call) => String(call.args[0]));
    assert.deepEqual(messages.length, 2, messages.join('\n'));
    assert.match(
      messages[0]!,
      /^metric future is not stored in :memory: as it is: its data point type 9 is not one this version stores; everything else is$/,
    );
    await exporter.shutdown();
  });
});
