import assert from 'node:assert/strict';
import { diag } from '@opentelemetry/api';
import sinon from 'sinon';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { flattenMetrics, startOtlpReceiver, type FlatMetric, type OtlpReceiver } from '../helpers/otlpReceiver.js';

const INSTANCE = '1234567';
const TOKEN = 'glc_test_token_do_not_print';
const AUTH = `Basic ${Buffer.from(`${INSTANCE}:${TOKEN}`).toString('base64')}`;

function metric(metrics: FlatMetric[], name: string): FlatMetric {
  const found = metrics.find((candidate) => candidate.name === name);
  assert.ok(found, `${name} not received; got ${metrics.map((m) => m.name).join(', ')}`);
  return found;
}

describe('otlp backend', function () {
  this.timeout(20_000);
  let receiver: OtlpReceiver;
  let analytics: Analytics | undefined;

  afterEach(async () => {
    sinon.restore();
    await analytics?.shutdown();
    analytics = undefined;
    await receiver?.close();
  });

  function start(env: Record<string, string>, extra: Parameters<typeof startAnalytics>[0] = {}): Analytics {
    analytics = startAnalytics({
      env: { ANALYTICS_BACKEND: 'otlp', OTLP_PUSH_INTERVAL: '3600', ...env },
      flushOnExit: false,
      logLevel: 'none',
      ...extra,
    });
    return analytics;
  }

  for (const protocol of ['protobuf', 'json'] as const) {
    it(`pushes every skill metric as ${protocol} with Basic auth and cumulative temporality`, async () => {
      receiver = await startOtlpReceiver({ basicAuth: { username: INSTANCE, password: TOKEN } });
      const app = start({
        OTLP_ENDPOINT: receiver.baseUrl,
        OTLP_INSTANCE_ID: INSTANCE,
        OTLP_TOKEN: TOKEN,
        OTLP_PROTOCOL: protocol,
        OTEL_SERVICE_NAME: 'research-agent',
      });
      app.wrap('web_search', () => 'ok')();
      await assert.rejects(app.wrap('web_search', async () => Promise.reject(Object.assign(new Error('x'), { status: 503 })))());
      app.rate('web_search', 5);
      app.recordInstall('web_search');
      await app.flush();

      const [request] = receiver.requests;
      assert.ok(request);
      assert.equal(request.status, 200);
      assert.equal(request.path, '/v1/metrics');
      assert.equal(request.headers.authorization, AUTH);
      assert.equal(request.contentType, protocol === 'json' ? 'application/json' : 'application/x-protobuf');

      const metrics = receiver.metrics();
      const executions = metric(metrics, 'toolweaver_skill_executions_total');
      assert.equal(executions.kind, 'sum');
      assert.equal(executions.temporality, 'cumulative');
      assert.equal(executions.isMonotonic, true);
      assert.equal(executions.unit, '{execution}');
      assert.equal(executions.scopeName, 'toolweaver-analytics');
      assert.equal(executions.resource['service.name'], 'research-agent');
      assert.deepEqual(
        executions.points.map((p) => [p.attributes, p.value]),
        [[{ skill_id: 'web_search' }, 2]],
      );
      // Every error type from the wrap on (docs/metrics.md#every-series-starts-at-0): the 503 is the one upstream failure.
      assert.deepEqual(
        metric(metrics, 'toolweaver_skill_failures_total').points.map((p) => [p.attributes, p.value]),
        ERROR_TYPES.map((type) => [{ skill_id: 'web_search', error_type: type }, type === 'upstream' ? 1 : 0]),
      );
      const latency = metric(metrics, 'toolweaver_skill_latency_milliseconds');
      assert.equal(latency.kind, 'histogram');
      assert.equal(latency.temporality, 'cumulative');
      assert.equal(latency.unit, 'ms');
      assert.deepEqual(
        latency.points.map((p) => [p.attributes, p.count]),
        [
          [{ skill_id: 'web_search', outcome: 'success' }, 1],
          [{ skill_id: 'web_search', outcome: 'failure' }, 1],
        ],
      );
      assert.deepEqual(latency.points[0]?.explicitBounds, [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000]);
      const rating = metric(metrics, 'toolweaver_skill_rating');
      assert.deepEqual([rating.points[0]?.count, rating.points[0]?.sum, rating.points[0]?.bucketCounts], [1, 5, [0, 0, 0, 0, 1, 0]]);
      assert.equal(metric(metrics, 'toolweaver_skill_installs_total').points[0]?.value, 1);
    });
  }

  it('falls back to the standard OTEL_EXPORTER_OTLP_* variables', async () => {
    receiver = await startOtlpReceiver();
    const app = start({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_HEADERS: 'x-scope-orgid=tenant-1' });
    app.wrap('a', () => 1)();
    await app.flush();
    assert.equal(receiver.requests[0]?.headers['x-scope-orgid'], 'tenant-1');
  });

  it('reports a 401 clearly through diag, without the token', async () => {
    receiver = await startOtlpReceiver({ basicAuth: { username: INSTANCE, password: 'another-token' } });
    const errors = sinon.stub(diag, 'error');
    const app = start({ OTLP_ENDPOINT: receiver.baseUrl, OTLP_INSTANCE_ID: INSTANCE, OTLP_TOKEN: TOKEN });
    app.wrap('a', () => 1)();
    await app.flush().catch(() => undefined);
    assert.equal(receiver.requests[0]?.status, 401);
    const logged = errors
      .getCalls()
      .map((call) => call.args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(' '));
    assert.ok(
      logged.some((line) =>
        /OtlpAuthError: OTLP endpoint http:\/\/127\.0\.0\.1:\d+\/v1\/metrics rejected the credentials \(HTTP 401\): check OTLP_INSTANCE_ID and OTLP_TOKEN/.test(
          line,
        ),
      ),
      logged.join('\n'),
    );
    assert.ok(!logged.join('\n').includes(TOKEN));
  });

  it('retries a 503 and delivers the same data', async () => {
    receiver = await startOtlpReceiver({ responses: [503], retryAfterSeconds: 0 });
    const app = start({ OTLP_ENDPOINT: receiver.baseUrl });
    app.wrap('a', () => 1)();
    await app.flush();
    assert.deepEqual(
      receiver.requests.map((request) => request.status),
      [503, 200],
    );
    const accepted = receiver.requests[1]?.body;
    assert.ok(accepted);
    assert.equal(metric(flattenMetrics(accepted), 'toolweaver_skill_executions_total').points[0]?.value, 1);
  });

  it('pushes what is left when it shuts down', async () => {
    receiver = await startOtlpReceiver();
    const app = start({ OTLP_ENDPOINT: receiver.baseUrl });
    app.wrap('last', () => 1)();
    await app.shutdown();
    assert.equal(metric(receiver.metrics(), 'toolweaver_skill_executions_total').points[0]?.value, 1);
  });
});
