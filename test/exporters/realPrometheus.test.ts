import assert from 'node:assert/strict';
import type sinon from 'sinon';
import type { Analytics } from '../../src/start/startAnalytics.js';
import { requirePrometheus, type PrometheusServer, type QueryResult } from '../helpers/prometheusServer.js';
import { startScrapedAnalytics, type ScrapedAnalytics } from '../helpers/scrapedAnalytics.js';

function assertClose(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
}

function bySkill(result: QueryResult): Map<string, number> {
  assert.equal(result.resultType, 'vector');
  return new Map(result.result.map((sample) => [sample.metric['skill_id'] as string, sample.value.value]));
}

describe('a real Prometheus scraping the prometheus backend', function () {
  this.timeout(90_000);
  let analytics: Analytics;
  let prometheus: PrometheusServer;
  let clock: sinon.SinonFakeTimers;
  let scraped: ScrapedAnalytics | undefined;

  before(async function () {
    requirePrometheus(this);
    scraped = await startScrapedAnalytics();
    ({ analytics, prometheus, clock } = scraped);
  });

  after(() => scraped?.stop());

  it("answers the guide's rate() query and histogram_quantile with the recorded values", async () => {
    const search = analytics.wrap('web_search', () => clock.tick(120));
    const sql = analytics.wrap('run_sql', () => clock.tick(30));
    search();
    sql();
    // rate() needs two scrapes that differ: wait for the first, then record the rest.
    await prometheus.waitFor('toolweaver_skill_executions_total', (result) => bySkill(result).size === 2, { timeoutMs: 30_000 });
    for (let i = 0; i < 20; i++) search();
    for (let i = 0; i < 10; i++) sql();

    const totals = await prometheus.waitFor('toolweaver_skill_executions_total', (result) => bySkill(result).get('web_search') === 21, {
      timeoutMs: 20_000,
    });
    assert.deepEqual(
      bySkill(totals),
      new Map([
        ['web_search', 21],
        ['run_sql', 11],
      ]),
    );

    const rates = bySkill(
      await prometheus.waitFor('rate(toolweaver_skill_executions_total[5m])', (result) => bySkill(result).size === 2, {
        timeoutMs: 20_000,
      }),
    );
    assert.ok((rates.get('web_search') ?? 0) > 0, `rate of web_search ${rates.get('web_search')}`);
    assert.ok((rates.get('run_sql') ?? 0) > 0, `rate of run_sql ${rates.get('run_sql')}`);

    const p95 = bySkill(
      await prometheus.query('histogram_quantile(0.95, sum by (skill_id, le) (toolweaver_skill_latency_milliseconds_bucket))'),
    );
    // Every call of web_search took 120 ms, in bucket (100, 250]: 100 + 150 × 0.95 = 242.5.
    assertClose(p95.get('web_search'), 242.5);
    // run_sql took 30 ms, in (25, 50]: 25 + 25 × 0.95 = 48.75.
    assertClose(p95.get('run_sql'), 48.75);

    const rateQuantile = bySkill(
      await prometheus.query('histogram_quantile(0.95, sum by (skill_id, le) (rate(toolweaver_skill_latency_milliseconds_bucket[5m])))'),
    );
    assertClose(rateQuantile.get('web_search'), 242.5);
    assertClose(rateQuantile.get('run_sql'), 48.75);
  });
});
