import assert from 'node:assert/strict';
import type sinon from 'sinon';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { startOtlpReceiver, type FlatMetric, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { requirePrometheus, type PrometheusServer, type QueryResult } from '../helpers/prometheusServer.js';
import { startScrapedAnalytics, type ScrapedAnalytics } from '../helpers/scrapedAnalytics.js';

const SPEC_BOUNDARIES = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const OPT_IN = { OTEL_SEMCONV_STABILITY_OPT_IN: 'http/dup, gen_ai_latest_experimental', ANALYTICS_METRIC_ATTRIBUTES: 'app.tier' };
const timeout = () => Object.assign(new Error('timed out'), { name: 'TimeoutError' });

/**
 * The calls both backends see: web_search thrice at 120 ms, once more for the planner agent on the
 * pro tier, and an MCP tool (type extension) timing out twice after 30 s.
 */
function makeCalls(app: Analytics, tick: (ms: number) => void): void {
  const search = app.wrap('web_search', () => tick(120));
  const fetchPage = app.wrap(
    'fetch_page',
    () => {
      tick(30_000);
      throw timeout();
    },
    { toolType: 'extension' },
  );
  for (let i = 0; i < 3; i++) search();
  app.withContext({ agentName: 'planner', conversationId: 'c-1', attributes: { 'app.tier': 'pro', 'request.id': 'r-1' } }, () => search());
  assert.throws(fetchPage);
  assert.throws(fetchPage);
}

describe('the semconv metric through OTLP', function () {
  this.timeout(20_000);
  let receiver: OtlpReceiver;
  let analytics: Analytics | undefined;

  afterEach(async () => {
    await analytics?.shutdown();
    analytics = undefined;
    await receiver?.close();
  });

  async function pushed(env: Record<string, string>): Promise<FlatMetric[]> {
    receiver = await startOtlpReceiver();
    let monotonic = 0;
    analytics = startAnalytics({
      env: { ANALYTICS_BACKEND: 'otlp', OTLP_PUSH_INTERVAL: '3600', OTLP_ENDPOINT: receiver.baseUrl, ...env },
      flushOnExit: false,
      logLevel: 'none',
      clock: { now: () => Date.now(), monotonic: () => monotonic },
    });
    makeCalls(analytics, (ms) => {
      monotonic += ms;
    });
    await analytics.flush();
    return receiver.metrics();
  }

  it('is pushed as gen_ai.execute_tool.duration: a cumulative histogram in seconds, in the buckets and with the attributes of the spec', async () => {
    const metrics = await pushed(OPT_IN);
    const metric = metrics.find((candidate) => candidate.name === 'gen_ai.execute_tool.duration');
    assert.ok(metric, `not pushed; got ${metrics.map((m) => m.name).join(', ')}`);
    assert.deepEqual(
      [metric.kind, metric.temporality, metric.unit, metric.scopeName],
      ['histogram', 'cumulative', 's', 'toolweaver-analytics'],
    );
    assert.deepEqual(
      metric.points.map((point) => [point.attributes, point.count, point.sum]),
      [
        [{ 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.type': 'function' }, 3, 0.36],
        [{ 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.type': 'function', 'gen_ai.agent.name': 'planner', 'app.tier': 'pro' }, 1, 0.12],
        [{ 'gen_ai.tool.name': 'fetch_page', 'gen_ai.tool.type': 'extension', 'error.type': 'timeout' }, 2, 60],
      ],
    );
    for (const point of metric.points) assert.deepEqual(point.explicitBounds, SPEC_BOUNDARIES);
    assert.deepEqual(metric.points[2]?.bucketCounts, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]);
    // Our seed names are still there, counting the same calls.
    const executions = metrics.find((candidate) => candidate.name === 'toolweaver_skill_executions_total');
    assert.equal(
      executions?.points.reduce((total, point) => total + (point.value ?? 0), 0),
      metric.points.reduce((total, point) => total + (point.count ?? 0), 0),
    );
  });

  for (const [title, env] of [
    ['without the opt-in', {}],
    ['for the tokens of other instrumentations', { OTEL_SEMCONV_STABILITY_OPT_IN: 'http,database/dup,gen_ai_latest' }],
  ] as const) {
    it(`is not pushed ${title}`, async () => {
      const names = (await pushed(env)).map((metric) => metric.name);
      assert.ok(names.includes('toolweaver_skill_latency_milliseconds'), names.join(', '));
      assert.ok(!names.includes('gen_ai.execute_tool.duration'), names.join(', '));
    });
  }
});

/** The samples of an instant vector, as [labels, value]. */
function samples(result: QueryResult): [Record<string, string>, number][] {
  assert.equal(result.resultType, 'vector');
  return result.result.map((sample) => [sample.metric, sample.value.value]);
}

function byLabel(result: QueryResult, label: string): Map<string | undefined, number> {
  return new Map(samples(result).map(([labels, value]) => [labels[label], value]));
}

describe('the semconv metric on a real Prometheus', function () {
  this.timeout(90_000);
  /** A second job renames the scraped series as Grafana Cloud's OTLP translation names them: the unit word appended. */
  const GRAFANA_JOB = 'grafana-cloud-names';
  const SCRAPE_JOB = 'toolweaver-test';
  let scraped: ScrapedAnalytics | undefined;
  let analytics: Analytics;
  let prometheus: PrometheusServer;
  let clock: sinon.SinonFakeTimers;

  before(async function () {
    requirePrometheus(this);
    scraped = await startScrapedAnalytics(OPT_IN, [
      {
        name: GRAFANA_JOB,
        metricRelabelConfigs: [
          {
            source_labels: ['__name__'],
            regex: 'gen_ai_execute_tool_duration_(bucket|sum|count)',
            target_label: '__name__',
            replacement: 'gen_ai_execute_tool_duration_seconds_$1',
          },
        ],
      },
    ]);
    ({ analytics, prometheus, clock } = scraped);
  });

  after(() => scraped?.stop());

  it('is scraped as gen_ai_execute_tool_duration, and the PromQL of docs/genai.md reads it under either name', async () => {
    makeCalls(analytics, (ms) => clock.tick(ms));
    const url = (analytics.describeBackends()[0] as string).replace('prometheus: ', '');
    const text = await (await fetch(url)).text();
    assert.match(text, /^# TYPE gen_ai_execute_tool_duration histogram$/m);
    assert.match(
      text,
      /^gen_ai_execute_tool_duration_count\{gen_ai_tool_name="web_search",gen_ai_tool_type="function",gen_ai_agent_name="planner",app_tier="pro",otel_scope_name="toolweaver-analytics",[^}]*\} 1$/m,
    );
    assert.ok(
      !text.includes('request_id') && !text.includes('c-1'),
      'custom attributes outside the allow-list, and the conversation, stay off',
    );

    const names = await prometheus.waitFor(
      'count by (__name__, job) ({__name__=~"gen_ai_execute_tool_duration.*_count"})',
      (result) => {
        return result.resultType === 'vector' && result.result.length === 2;
      },
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(
      new Map(samples(names).map(([labels]) => [labels['job'], labels['__name__']])),
      new Map([
        [SCRAPE_JOB, 'gen_ai_execute_tool_duration_count'],
        [GRAFANA_JOB, 'gen_ai_execute_tool_duration_seconds_count'],
      ]),
    );

    // rate() needs two scrapes that differ: the first has been seen, so record the same calls again.
    makeCalls(analytics, (ms) => clock.tick(ms));
    const calls = await prometheus.waitFor(
      'sum by (job) ({__name__=~"gen_ai_execute_tool_duration(_seconds)?_count"})',
      (result) => byLabel(result, 'job').size === 2 && [...byLabel(result, 'job').values()].every((count) => count === 12),
      { timeoutMs: 20_000 },
    );
    assert.deepEqual(
      byLabel(calls, 'job'),
      new Map([
        [SCRAPE_JOB, 12],
        [GRAFANA_JOB, 12],
      ]),
    );

    for (const job of [SCRAPE_JOB, GRAFANA_JOB]) {
      const selector = `{__name__=~"gen_ai_execute_tool_duration(_seconds)?_bucket", job="${job}"}`;
      const p95 = await prometheus.waitFor(
        `histogram_quantile(0.95, sum by (le, gen_ai_tool_name) (rate(${selector}[5m])))`,
        (result) => result.resultType === 'vector' && result.result.length === 2,
        { timeoutMs: 20_000 },
      );
      const bySkill = new Map(
        (p95.result as { metric: Record<string, string>; value: { value: number } }[]).map((s) => [
          s.metric['gen_ai_tool_name'],
          s.value.value,
        ]),
      );
      // 0.12 s is in (0.08, 0.16]: 0.08 + 0.08 × 0.95; 30 s in (20.48, 40.96]: 20.48 + 20.48 × 0.95.
      assert.ok(Math.abs((bySkill.get('web_search') ?? 0) - 0.156) < 1e-9, `${job}: ${bySkill.get('web_search')}`);
      assert.ok(Math.abs((bySkill.get('fetch_page') ?? 0) - 39.936) < 1e-9, `${job}: ${bySkill.get('fetch_page')}`);
      const failures = await prometheus.query(
        `sum by (error_type) ({__name__=~"gen_ai_execute_tool_duration(_seconds)?_count", job="${job}", error_type!=""})`,
      );
      assert.deepEqual(
        (failures.result as { metric: Record<string, string>; value: { value: number } }[]).map((s) => [
          s.metric['error_type'],
          s.value.value,
        ]),
        [['timeout', 4]],
      );
    }
  });
});
