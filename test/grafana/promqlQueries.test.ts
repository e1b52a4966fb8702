import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type sinon from 'sinon';
import type { Analytics } from '../../src/start/startAnalytics.js';
import { renderDashboards } from '../../src/grafana/renderDashboards.js';
import { interpolatePromql, renderedQueries, type PromVariables } from '../helpers/grafanaQueries.js';
import { requirePrometheus, type PrometheusServer, type QueryResult } from '../helpers/prometheusServer.js';
import { startScrapedAnalytics, type ScrapedAnalytics } from '../helpers/scrapedAnalytics.js';

// The dashboards' time range and interval, scaled down so the workload fits in seconds: the
// previous-range panels (growth, most improved, trending new) need two ranges of data.
const RANGE_SECONDS = 6;
const VARIABLES: PromVariables = { range: `${RANGE_SECONDS}s`, interval: '3s', skill: '.*' };
const TICK_MS = 100;
const STEADY = ['web_search', 'run_sql', 'send_email', 'fetch_weather'] as const;
const NEW_SKILL = 'summarize_pdf';
/** Seconds into the workload when the new skill is first called, and when the workload stops. */
const NEW_SKILL_AT = 2 * RANGE_SECONDS - 1;
const WORKLOAD_SECONDS = NEW_SKILL_AT + 4;

function httpError(status: number): Error {
  return Object.assign(new Error(`HTTP ${status}`), { status });
}

describe('the Prometheus dashboards on a real Prometheus scraping the exporter', function () {
  this.timeout(90_000);
  let prometheus: PrometheusServer;
  let scraped: ScrapedAnalytics | undefined;
  /** Unix seconds at which every query is evaluated: just after the workload stopped. */
  let evaluatedAt: number;

  before(async function () {
    requirePrometheus(this);
    scraped = await startScrapedAnalytics();
    prometheus = scraped.prometheus;
    await runWorkload(scraped.analytics, scraped.clock);
    evaluatedAt = Date.now() / 1000;
    // Let the last scrape after the workload land before querying at evaluatedAt.
    await sleep(2_000);
  });

  after(() => scraped?.stop());

  it("lists every skill in the skill variable's label_values query", async () => {
    const templating = renderDashboards({ flavour: 'prometheus' })[0]!['templating'] as { list: { name: string; query: string }[] };
    const query = templating.list.find((variable) => variable.name === 'skill')!.query;
    const [, metric, label] = /^label_values\((\w+), (\w+)\)$/.exec(query)!;
    // What Grafana's Prometheus data source asks for label_values(metric, label).
    const response = await fetch(`${prometheus.url}/api/v1/label/${label}/values?match[]=${metric}`);
    const body = (await response.json()) as { data: string[] };
    assert.deepEqual([...body.data].sort(), [...STEADY, NEW_SKILL].sort());
  });

  for (const query of renderedQueries('prometheus')) {
    const expr = query.target['expr'] as string;
    const expected = query.kind === 'timeseries' ? 'matrix' : 'vector';
    it(`${query.dashboard} / ${query.panel} (${String(query.target['refId'])}): returns a non-empty ${expected}`, async () => {
      assert.equal(query.target['instant'], expected === 'vector');
      const promql = interpolatePromql(expr, VARIABLES);
      const result: QueryResult =
        expected === 'matrix'
          ? await prometheus.queryRange(promql, { start: evaluatedAt - WORKLOAD_SECONDS + 2, end: evaluatedAt, stepSeconds: 1 })
          : await prometheus.query(promql, evaluatedAt);
      assert.equal(result.resultType, expected, promql);
      assert.ok(result.result.length > 0, `empty result for\n${promql}`);
      if (result.resultType === 'vector') {
        for (const sample of result.result) assert.ok(Number.isFinite(sample.value.value), `${JSON.stringify(sample)} from\n${promql}`);
        // A bar chart names its bars by the first column; an instant table keeps the labels as columns.
        const xField = renderDashboards({ flavour: 'prometheus' })
          .flatMap((d) => d['panels'] as { title: string; options: { xField?: string } }[])
          .find((p) => p.title === query.panel)!.options.xField;
        if (xField !== undefined)
          assert.ok(
            result.result.every((sample) => sample.metric[xField] !== undefined),
            `no ${xField} label`,
          );
      }
    });
  }

  it('narrows every panel to the skills chosen in the skill variable', async () => {
    const calls = renderedQueries('prometheus').find((query) => query.panel === 'Top 10 skills by usage')!.target['expr'] as string;
    const result = await prometheus.query(interpolatePromql(calls, { ...VARIABLES, skill: '(web_search|run_sql)' }), evaluatedAt);
    assert.equal(result.resultType, 'vector');
    assert.deepEqual(result.result.map((sample) => sample.metric['skill_id']).sort(), ['run_sql', 'web_search']);
  });

  it('finds the skill first called within the range as the only trending new skill', async () => {
    const trending = renderedQueries('prometheus').find((query) => query.panel === 'Trending new skills')!.target['expr'] as string;
    const result = await prometheus.query(interpolatePromql(trending, VARIABLES), evaluatedAt);
    assert.equal(result.resultType, 'vector');
    assert.deepEqual(
      result.result.map((sample) => sample.metric['skill_id']),
      [NEW_SKILL],
    );
  });
});

/**
 * Agent traffic for WORKLOAD_SECONDS in real time: four skills with known latencies, failures of
 * three types (send_email fails less in the second half: it improves), ratings and installs, and a
 * new skill from NEW_SKILL_AT on.
 */
async function runWorkload(analytics: Analytics, clock: sinon.SinonFakeTimers): Promise<void> {
  let tick = 0;
  const ticksPerSecond = 1000 / TICK_MS;
  const skill = (id: string, latency: (n: number) => number, failure: (n: number) => Error | undefined) => {
    let n = 0;
    return analytics.wrap(id, () => {
      n++;
      clock.tick(latency(n));
      const error = failure(n);
      if (error !== undefined) throw error;
    });
  };
  const calls = {
    web_search: skill(
      'web_search',
      () => 120,
      () => undefined,
    ),
    run_sql: skill(
      'run_sql',
      (n) => 20 + (n % 5) * 5,
      (n) => (n % 25 === 0 ? httpError(400) : undefined),
    ),
    send_email: skill(
      'send_email',
      (n) => 200 + (n % 8) * 100,
      (n) => (n % (tick < NEW_SKILL_AT * ticksPerSecond ? 3 : 20) === 0 ? httpError(429) : undefined),
    ),
    fetch_weather: skill(
      'fetch_weather',
      (n) => 5 + (n % 4) * 10,
      (n) => (n % 10 === 0 ? Object.assign(new Error('slow'), { name: 'TimeoutError' }) : undefined),
    ),
    [NEW_SKILL]: skill(
      NEW_SKILL,
      () => 900,
      () => undefined,
    ),
  } as Record<string, () => void>;
  for (; tick < WORKLOAD_SECONDS * ticksPerSecond; tick++) {
    for (const id of STEADY) {
      try {
        calls[id]!();
      } catch {
        // The failures are the point; wrap rethrows them untouched.
      }
    }
    if (tick >= NEW_SKILL_AT * ticksPerSecond) calls[NEW_SKILL]!();
    if (tick % 5 === 0) analytics.rate(STEADY[tick % 4]!, 1 + (tick % 5 === 0 ? (tick / 5) % 5 : 0));
    if (tick % 10 === 0) analytics.recordInstall(STEADY[(tick / 10) % 4]!);
    await sleep(TICK_MS);
  }
}
