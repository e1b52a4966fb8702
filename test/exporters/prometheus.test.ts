import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import sinon from 'sinon';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { PrometheusListenError } from '../../src/core/errors.js';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';

const QUIET = { env: {}, flushOnExit: false, logLevel: 'none' } as const;

function metricsUrl(analytics: Analytics): string {
  return (analytics.describeBackends()[0] as string).replace('prometheus: ', '');
}

describe('prometheus backend', () => {
  let analytics: Analytics | undefined;
  afterEach(async () => {
    sinon.restore();
    await analytics?.shutdown();
    analytics = undefined;
  });

  it('serves every skill metric on /metrics in the Prometheus text format, line for line', async () => {
    const clock = sinon.useFakeTimers({ now: Date.parse('2026-11-28T10:00:00Z'), toFake: ['performance', 'Date'] });
    analytics = startAnalytics({ ...QUIET, backends: ['prometheus'], prometheus: { port: 0 }, health: { minCalls: 2 } });
    await analytics.ready;
    const search = analytics.wrap('web_search', () => clock.tick(120));
    search();
    search();
    const email = analytics.wrap('send_email', () => {
      clock.tick(30);
      throw Object.assign(new Error('slow down'), { status: 429 });
    });
    assert.throws(email);
    analytics.rate('web_search', 4);
    analytics.recordInstall('web_search');
    const response = await fetch(metricsUrl(analytics));
    assert.equal(response.status, 200);
    const lines = (await response.text()).trim().split('\n');
    const scope = 'otel_scope_name="toolweaver-analytics",otel_scope_version="0.1.0"';
    const bounds = ['1', '2.5', '5', '10', '25', '50', '100', '250', '500', '1000', '2500', '5000', '10000', '30000', '60000', '+Inf'];
    const buckets = (labels: string, firstBucketWith: number, count: number) =>
      bounds.map(
        (le, index) =>
          `toolweaver_skill_latency_milliseconds_bucket{${labels},${scope},le="${le}"} ${index >= firstBucketWith ? count : 0}`,
      );
    assert.deepEqual(lines.slice(3), [
      '# HELP toolweaver_skill_executions_total Skill calls, successful or not.',
      '# UNIT toolweaver_skill_executions_total {execution}',
      '# TYPE toolweaver_skill_executions_total counter',
      `toolweaver_skill_executions_total{skill_id="web_search",${scope}} 2`,
      `toolweaver_skill_executions_total{skill_id="send_email",${scope}} 1`,
      '# HELP toolweaver_skill_success_total Skill calls that returned without error.',
      '# UNIT toolweaver_skill_success_total {execution}',
      '# TYPE toolweaver_skill_success_total counter',
      `toolweaver_skill_success_total{skill_id="web_search",${scope}} 2`,
      `toolweaver_skill_success_total{skill_id="send_email",${scope}} 0`,
      '# HELP toolweaver_skill_failures_total Skill calls that threw or rejected, by error_type.',
      '# UNIT toolweaver_skill_failures_total {execution}',
      '# TYPE toolweaver_skill_failures_total counter',
      // Every error type of a skill from its wrap on, at 0 until counted (docs/metrics.md#every-series-starts-at-0).
      ...ERROR_TYPES.map((type) => `toolweaver_skill_failures_total{skill_id="web_search",error_type="${type}",${scope}} 0`),
      ...ERROR_TYPES.map(
        (type) => `toolweaver_skill_failures_total{skill_id="send_email",error_type="${type}",${scope}} ${type === 'rate_limited' ? 1 : 0}`,
      ),
      '# HELP toolweaver_skill_installs_total Skill installs.',
      '# UNIT toolweaver_skill_installs_total {install}',
      '# TYPE toolweaver_skill_installs_total counter',
      `toolweaver_skill_installs_total{skill_id="web_search",${scope}} 1`,
      `toolweaver_skill_installs_total{skill_id="send_email",${scope}} 0`,
      '# HELP toolweaver_skill_health_score Skill health 0-100 from success rate, p95 latency, rating and usage over a rolling window.',
      '# UNIT toolweaver_skill_health_score {score}',
      '# TYPE toolweaver_skill_health_score gauge',
      `toolweaver_skill_health_score{skill_id="web_search",${scope}} ${analytics.health('web_search').score}`,
      '# HELP toolweaver_skill_latency_milliseconds Duration of skill calls in milliseconds, by outcome.',
      '# UNIT toolweaver_skill_latency_milliseconds ms',
      '# TYPE toolweaver_skill_latency_milliseconds histogram',
      `toolweaver_skill_latency_milliseconds_count{skill_id="web_search",outcome="success",${scope}} 2`,
      `toolweaver_skill_latency_milliseconds_sum{skill_id="web_search",outcome="success",${scope}} 240`,
      // 120 ms lies in (100, 250]: the 8th bound, index 7
      ...buckets('skill_id="web_search",outcome="success"', 7, 2),
      // The outcomes no call had yet: empty histograms since the wrap.
      `toolweaver_skill_latency_milliseconds_count{skill_id="web_search",outcome="failure",${scope}} 0`,
      `toolweaver_skill_latency_milliseconds_sum{skill_id="web_search",outcome="failure",${scope}} 0`,
      ...buckets('skill_id="web_search",outcome="failure"', 0, 0),
      `toolweaver_skill_latency_milliseconds_count{skill_id="send_email",outcome="success",${scope}} 0`,
      `toolweaver_skill_latency_milliseconds_sum{skill_id="send_email",outcome="success",${scope}} 0`,
      ...buckets('skill_id="send_email",outcome="success"', 0, 0),
      `toolweaver_skill_latency_milliseconds_count{skill_id="send_email",outcome="failure",${scope}} 1`,
      `toolweaver_skill_latency_milliseconds_sum{skill_id="send_email",outcome="failure",${scope}} 30`,
      // 30 ms lies in (25, 50]: index 5
      ...buckets('skill_id="send_email",outcome="failure"', 5, 1),
      '# HELP toolweaver_skill_rating User ratings of skills, 1 to 5 stars.',
      '# UNIT toolweaver_skill_rating {star}',
      '# TYPE toolweaver_skill_rating histogram',
      `toolweaver_skill_rating_count{skill_id="web_search",${scope}} 1`,
      `toolweaver_skill_rating_sum{skill_id="web_search",${scope}} 4`,
      `toolweaver_skill_rating_bucket{skill_id="web_search",${scope},le="1"} 0`,
      `toolweaver_skill_rating_bucket{skill_id="web_search",${scope},le="2"} 0`,
      `toolweaver_skill_rating_bucket{skill_id="web_search",${scope},le="3"} 0`,
      `toolweaver_skill_rating_bucket{skill_id="web_search",${scope},le="4"} 1`,
      `toolweaver_skill_rating_bucket{skill_id="web_search",${scope},le="5"} 1`,
      `toolweaver_skill_rating_bucket{skill_id="web_search",${scope},le="+Inf"} 1`,
      `toolweaver_skill_rating_count{skill_id="send_email",${scope}} 0`,
      `toolweaver_skill_rating_sum{skill_id="send_email",${scope}} 0`,
      ...['1', '2', '3', '4', '5', '+Inf'].map((le) => `toolweaver_skill_rating_bucket{skill_id="send_email",${scope},le="${le}"} 0`),
    ]);
    assert.match(lines[0] as string, /^# HELP target_info Target metadata$/);
  });

  it('puts the service name and resource attributes on target_info', async () => {
    analytics = startAnalytics({
      ...QUIET,
      env: { OTEL_SERVICE_NAME: 'research-agent', OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=staging' },
      backends: ['prometheus'],
      prometheus: { port: 0 },
    });
    await analytics.ready;
    const text = await (await fetch(metricsUrl(analytics))).text();
    assert.match(text, /target_info\{.*service_name="research-agent".*\} 1/);
    assert.match(text, /target_info\{.*deployment_environment="staging".*\} 1/);
  });

  it('answers 404 with a hint outside the metrics path', async () => {
    analytics = startAnalytics({ ...QUIET, backends: ['prometheus'], prometheus: { port: 0, path: '/custom' } });
    await analytics.ready;
    const base = metricsUrl(analytics).replace('/custom', '');
    const response = await fetch(`${base}/metrics`);
    assert.equal(response.status, 404);
    assert.match(await response.text(), /metrics are served at \/custom/);
    assert.equal((await fetch(`${base}/custom?x=1`)).status, 200);
  });

  it('rejects ready with a PrometheusListenError that names the fix when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      analytics = startAnalytics({ ...QUIET, backends: ['prometheus'], prometheus: { port } });
      await assert.rejects(
        analytics.ready,
        (error) =>
          error instanceof PrometheusListenError &&
          new RegExp(`127\\.0\\.0\\.1:${port} \\(the port is in use\\): set PROMETHEUS_PORT`).test(error.message),
      );
    } finally {
      blocker.close();
    }
  });

  it('hands out a request handler to mount on the application server instead of its own port', async () => {
    analytics = startAnalytics({ ...QUIET, backends: ['prometheus'], prometheusServer: false });
    analytics.wrap('mounted', () => 1)();
    const handler = analytics.metricsHandler;
    assert.ok(handler);
    const app = createServer((request, response) => handler(request, response));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    try {
      const text = await (await fetch(`http://127.0.0.1:${(app.address() as { port: number }).port}/anything`)).text();
      assert.match(text, /toolweaver_skill_executions_total\{skill_id="mounted",.*\} 1/);
    } finally {
      app.close();
    }
  });

  it('closes its server when the analytics shut down', async () => {
    analytics = startAnalytics({ ...QUIET, backends: ['prometheus'], prometheus: { port: 0 } });
    await analytics.ready;
    const url = metricsUrl(analytics);
    await analytics.shutdown();
    await assert.rejects(fetch(url));
  });
});
