import assert from 'node:assert/strict';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InOrderExporter } from '../../src/exporters/InOrderExporter.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { flattenMetrics, startOtlpReceiver, type OtlpReceiver, type ReceivedRequest } from '../helpers/otlpReceiver.js';

const PUSHES = 8;
const CALLS_PER_PUSH = 10;

/** The cumulative count of executions an accepted push carried. */
function executionsIn(request: ReceivedRequest): number {
  const metrics = request.body === undefined ? [] : flattenMetrics(request.body);
  const executions = metrics.find((metric) => metric.name === 'toolweaver_skill_executions_total');
  return (executions?.points ?? []).reduce((sum, point) => sum + (point.value ?? 0), 0);
}

describe('otlp push order', function () {
  this.timeout(30_000);
  let receiver: OtlpReceiver | undefined;
  let analytics: Analytics | undefined;
  afterEach(async () => {
    await analytics?.shutdown();
    await receiver?.close();
    analytics = receiver = undefined;
  });

  it('never delivers an older cumulative state after a newer one, when 429 and 503 with Retry-After make pushes retry', async () => {
    receiver = await startOtlpReceiver({ responses: [429, 503, 429], retryAfterSeconds: 1 });
    // Pushes every 200 ms, so retries 1 s later overlap the pushes that follow.
    analytics = startAnalytics({
      env: { ANALYTICS_BACKEND: 'otlp', OTLP_ENDPOINT: receiver.baseUrl, OTLP_PUSH_INTERVAL: '0.2' },
      flushOnExit: false,
      logLevel: 'none',
    });
    const search = analytics.wrap('web_search', () => 'ok');
    for (let push = 0; push < PUSHES; push++) {
      for (let call = 0; call < CALLS_PER_PUSH; call++) search();
      await receiver.waitForRequests(receiver.requests.length + 1, 3000);
    }
    await analytics.shutdown();

    assert.deepEqual(
      receiver.requests.slice(0, 3).map((request) => request.status),
      [429, 503, 429],
    );
    const accepted = receiver.requests.filter((request) => request.status === 200).map(executionsIn);
    assert.deepEqual(
      accepted,
      [...accepted].sort((a, b) => a - b),
      `the receiver accepted the totals ${accepted.join(', ')}`,
    );
    assert.equal(accepted.at(-1), PUSHES * CALLS_PER_PUSH, `the receiver accepted the totals ${accepted.join(', ')}`);
  });
});

interface Result {
  code: number;
  error?: Error;
}

/** An exporter whose pushes stay in flight until the test finishes them. */
class HeldExporter implements PushMetricExporter {
  readonly pushes: { state: string; finish: (result: Result) => void }[] = [];
  flushed = false;
  /** Thrown by the next export, as a broken serializer would. */
  throwNext: Error | undefined;
  export(metrics: ResourceMetrics, resultCallback: (result: Result) => void): void {
    const error = this.throwNext;
    this.throwNext = undefined;
    if (error !== undefined) throw error;
    this.pushes.push({ state: (metrics as unknown as { state: string }).state, finish: resultCallback });
  }
  async forceFlush(): Promise<void> {
    this.flushed = true;
  }
  async shutdown(): Promise<void> {}
  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}

/** A stand-in for one collected cumulative state; the exporter never looks inside. */
const state = (name: string): ResourceMetrics => ({ state: name }) as unknown as ResourceMetrics;
/** Lets every pending promise callback run. */
const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const SUCCESS = { code: 0 };
const FAILURE = { code: 1, error: new Error('HTTP 503') };

describe('InOrderExporter', () => {
  it('pushes one state at a time, then only the newest of those that waited, and tells the replaced ones its result', async () => {
    const inner = new HeldExporter();
    const ordered = new InOrderExporter(inner);
    const results: [string, Result][] = [];
    for (const name of ['s1', 's2', 's3']) ordered.export(state(name), (result) => results.push([name, result]));
    assert.deepEqual(
      inner.pushes.map((push) => push.state),
      ['s1'],
    );

    inner.pushes[0]!.finish(SUCCESS);
    await settled();
    assert.deepEqual(
      inner.pushes.map((push) => push.state),
      ['s1', 's3'],
    );
    assert.deepEqual(results, [['s1', SUCCESS]]);

    ordered.export(state('s4'), (result) => results.push(['s4', result]));
    inner.pushes[1]!.finish(FAILURE);
    await settled();
    inner.pushes[2]!.finish(SUCCESS);
    await ordered.forceFlush();
    assert.deepEqual(
      inner.pushes.map((push) => push.state),
      ['s1', 's3', 's4'],
    );
    assert.deepEqual(results, [
      ['s1', SUCCESS],
      ['s2', FAILURE],
      ['s3', FAILURE],
      ['s4', SUCCESS],
    ]);
  });

  it('flushes only once the push in flight and the one waiting are done', async () => {
    const inner = new HeldExporter();
    const ordered = new InOrderExporter(inner);
    ordered.export(state('s1'), () => undefined);
    ordered.export(state('s2'), () => undefined);
    let flushed = false;
    const flushing = ordered.forceFlush().then(() => (flushed = true));
    inner.pushes[0]!.finish(SUCCESS);
    await settled();
    assert.equal(flushed, false);
    inner.pushes[1]!.finish(SUCCESS);
    await flushing;
    assert.deepEqual([inner.pushes.length, inner.flushed], [2, true]);
  });

  it('fails a push whose exporter throws, and still sends the next one', async () => {
    const inner = new HeldExporter();
    const ordered = new InOrderExporter(inner);
    const results: Result[] = [];
    inner.throwNext = new Error('serializer broke');
    ordered.export(state('s1'), (result) => results.push(result));
    await ordered.forceFlush();
    assert.match(results[0]?.error?.message ?? '', /serializer broke/);
    ordered.export(state('s2'), (result) => results.push(result));
    inner.pushes[0]!.finish(SUCCESS);
    await ordered.forceFlush();
    assert.deepEqual(results.slice(1), [SUCCESS]);
  });
});
