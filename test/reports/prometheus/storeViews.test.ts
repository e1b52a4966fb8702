import assert from 'node:assert/strict';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { MetricUnavailableError } from '../../../src/core/errors.js';
import { EXECUTIONS, FAILURES, LATENCY } from '../../../src/instruments/names.js';
import { healthReport } from '../../../src/reports/healthReport.js';
import { latencyReport } from '../../../src/reports/latency.js';
import { leaderboard } from '../../../src/reports/leaderboards.js';
import { PrometheusSource } from '../../../src/reports/prometheus/PrometheusSource.js';
import { startAnalytics } from '../../../src/start/startAnalytics.js';
import { firstValue, requirePrometheus, startPrometheus } from '../../helpers/prometheusServer.js';

/**
 * An application with `views` making 50 calls of known latency (30 ms, 300 ms, 3 s, which fails), scraped by a
 * real Prometheus until it holds them; `check` gets a source over that Prometheus.
 */
async function withViews(views: ViewOptions[], check: (source: PrometheusSource) => Promise<void>): Promise<void> {
  let monotonic = 0;
  const analytics = startAnalytics({
    env: {},
    flushOnExit: false,
    logLevel: 'none',
    backends: ['prometheus'],
    prometheus: { port: 0 },
    views,
    clock: { now: () => Date.now(), monotonic: () => monotonic },
  });
  await analytics.ready;
  const target = new URL((analytics.describeBackends()[0] as string).replace('prometheus: ', ''));
  const prometheus = await startPrometheus({ targets: [target.host], metricsPath: target.pathname, scrapeIntervalSeconds: 0.5 });
  try {
    const tool = analytics.wrap('web_search', (ms: number) => {
      monotonic += ms;
      if (ms === 3000) throw Object.assign(new Error('gateway timeout'), { status: 504 });
    });
    for (let i = 0; i < 50; i++) {
      try {
        tool([30, 300, 3000][i % 3]!);
      } catch {}
    }
    await prometheus.waitFor('count({__name__=~"toolweaver_skill_.+"})', (result) => (firstValue(result) ?? 0) > 0, { timeoutMs: 15_000 });
    // The calls counter, under our name or a View's: the largest of the counters once all 50 are scraped.
    await prometheus.waitFor('max({__name__=~".+_total", job!=""})', (result) => firstValue(result) === 50, { timeoutMs: 15_000 });
    await check(new PrometheusSource({ url: prometheus.url }));
  } finally {
    await prometheus.stop();
    await analytics.shutdown();
  }
}

function unavailable(metric: string, pattern: RegExp): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof MetricUnavailableError, String(error));
    assert.equal(error.metric, metric);
    assert.match(error.message, pattern);
    return true;
  };
}

describe('a report over a store names the metric a View renamed, dropped or made exponential, instead of printing zeros', function () {
  this.timeout(60_000);
  const now = () => Date.now() + 60_000;

  before(function () {
    requirePrometheus(this);
  });

  it('a rename of the executions counter: every report names toolweaver_skill_executions_total', async () => {
    await withViews([{ instrumentName: EXECUTIONS.name, name: 'agent_tool_calls_total' }], async (source) => {
      const renamed = unavailable(EXECUTIONS.name, /holds no toolweaver_skill_executions_total .* a View renamed or dropped it/);
      await assert.rejects(leaderboard(source, { metric: 'usage', window: '24h', now: now() }), renamed);
      await assert.rejects(healthReport(source, { window: '24h', now: now() }), renamed);
    });
  });

  it('a DROP of the latency histogram: the latency and health reports name its _bucket series; usage still ranks', async () => {
    await withViews([{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.DROP } }], async (source) => {
      const dropped = unavailable(`${LATENCY.name}_bucket`, /a View renamed or dropped it/);
      await assert.rejects(latencyReport(source, { window: '24h', now: now() }), dropped);
      await assert.rejects(healthReport(source, { window: '24h', now: now() }), dropped);
      const board = await leaderboard(source, { metric: 'usage', window: '24h', now: now() });
      assert.deepEqual(
        board.entries.map((entry) => [entry.skillId, entry.score]),
        [['web_search', 50]],
      );
    });
  });

  it('a DROP of the failures counter while calls failed: the latency report names it, as it cannot tell the error types', async () => {
    await withViews([{ instrumentName: FAILURES.name, aggregation: { type: AggregationType.DROP } }], async (source) => {
      await assert.rejects(
        latencyReport(source, { window: '24h', now: now() }),
        unavailable(FAILURES.name, /though calls failed in the window/),
      );
      const [row] = await healthReport(source, { window: '24h', now: now() });
      assert.deepEqual([row?.calls, row?.successRate], [50, 34 / 50]);
    });
  });

  it('an exponential latency histogram, which the Prometheus exporter leaves out: the latency report names it', async () => {
    await withViews([{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }], async (source) => {
      await assert.rejects(latencyReport(source, { window: '24h', now: now() }), unavailable(`${LATENCY.name}_bucket`, /holds no/));
    });
  });

  it("other bucket bounds: the percentiles are read over the View's buckets", async () => {
    const boundaries = [100, 1000, 10_000];
    const view = {
      instrumentName: LATENCY.name,
      aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries } },
    };
    await withViews([view as ViewOptions], async (source) => {
      const [row] = await latencyReport(source, { window: '24h', now: now() });
      assert.equal(row?.calls, 50);
      // 17 calls of 30 ms, 17 of 300 ms, 16 of 3 s: p50 interpolates in (100, 1000], p95 in (1000, 10000].
      assert.ok(row.p50! > 100 && row.p50! <= 1000, String(row.p50));
      assert.ok(row.p95! > 1000 && row.p95! <= 10_000, String(row.p95));
      assert.equal(row.avgMs, (17 * 30 + 17 * 300 + 16 * 3000) / 50);
    });
  });
});
