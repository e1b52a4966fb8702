import assert from 'node:assert/strict';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { EXECUTIONS, FAILURES } from '../../src/instruments/names.js';
import { startOtlpReceiver, type OtlpReceiver } from '../helpers/otlpReceiver.js';

const SKILLS = 3000;

/** Records one success and one rate-limited failure for each of SKILLS skills. */
function traffic(analytics: Analytics): void {
  for (let index = 0; index < SKILLS; index++) {
    const id = `skill_${index}`;
    analytics.wrap(id, () => 1)();
    try {
      analytics.wrap(id, () => {
        throw Object.assign(new Error('slow down'), { status: 429 });
      })();
    } catch {
      // counted as a failure
    }
  }
}

describe('ANALYTICS_CARDINALITY_LIMIT above the SDK default of 2000 series', function () {
  this.timeout(30_000);
  let analytics: Analytics | undefined;
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await analytics?.shutdown();
    await receiver?.close();
  });

  it('reaches the Prometheus exporter: every skill has its own series, none overflows', async () => {
    analytics = startAnalytics({ env: {}, flushOnExit: false, backends: ['prometheus'], prometheusServer: false, cardinalityLimit: 5000 });
    traffic(analytics);
    const url = await serve(analytics);
    const text = await (await fetch(url)).text();
    const executions = text.split('\n').filter((line) => line.startsWith(`${EXECUTIONS.name}{`));
    const failures = text.split('\n').filter((line) => line.startsWith(`${FAILURES.name}{`));
    assert.equal(executions.length, SKILLS);
    // Each skill has every error type from its wrap on, the rate-limited one counted once.
    assert.equal(failures.length, SKILLS * ERROR_TYPES.length);
    assert.equal(failures.filter((line) => line.includes('error_type="rate_limited"') && line.endsWith(' 1')).length, SKILLS);
    assert.ok(!text.includes('otel_metric_overflow'), 'no series folded');
  });

  it('reaches the OTLP push too', async () => {
    receiver = await startOtlpReceiver();
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      backends: ['otlp'],
      otlp: { url: receiver.url, pushIntervalMs: 3_600_000 },
      cardinalityLimit: 5000,
    });
    traffic(analytics);
    await analytics.flush();
    const executions = receiver.metrics().find((metric) => metric.name === EXECUTIONS.name);
    assert.equal(executions?.points.length, SKILLS);
    assert.ok(executions?.points.every((point) => point.attributes['otel.metric.overflow'] === undefined));
  });
});

/** Mounts the analytics' /metrics handler on a loopback server and returns its URL. */
async function serve(analytics: Analytics): Promise<string> {
  const { createServer } = await import('node:http');
  const server = createServer((request, response) => analytics.metricsHandler!(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}/metrics`;
}
