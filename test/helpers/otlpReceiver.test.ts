import assert from 'node:assert/strict';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporalityPreference, OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OTLPProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  MeterProvider,
  MetricReader,
  PeriodicExportingMetricReader,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import { startOtlpReceiver, type FlatMetric, type OtlpReceiver } from './otlpReceiver.js';

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPProtoMetricExporter>[0]>;
type Encoding = 'protobuf' | 'json';

const RESOURCE = resourceFromAttributes({ 'service.name': 'helper-test' });
const CREDENTIALS = { username: 'agent', password: 'p@ss:word' };
const AUTHORIZATION = `Basic ${Buffer.from('agent:p@ss:word').toString('base64')}`;
const NO_PERIODIC_EXPORT = 60_000;

/** A pull reader, so one collection can be handed to several exporters. */
class ManualReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

function exporterFor(encoding: Encoding, receiver: OtlpReceiver, config: ExporterConfig = {}): PushMetricExporter {
  const options = { url: receiver.url, ...config };
  return encoding === 'protobuf' ? new OTLPProtoMetricExporter(options) : new OTLPJsonMetricExporter(options);
}

/** Records one counter and one histogram measurement into a fresh provider. */
function recordSample(provider: MeterProvider): void {
  const meter = provider.getMeter('helper-test', '2.0.0');
  meter
    .createCounter('skill.calls', { unit: '{call}', description: 'Skill calls', valueType: ValueType.INT })
    .add(3, { skill: 'search', ok: true });
  meter.createHistogram('skill.duration', { unit: 'ms' }).record(30, { skill: 'search' });
}

function pipeline(exporter: PushMetricExporter): { provider: MeterProvider; reader: PeriodicExportingMetricReader } {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: NO_PERIODIC_EXPORT });
  const provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
  recordSample(provider);
  return { provider, reader };
}

function exportOnce(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(metrics, resolve));
}

function byName(metrics: FlatMetric[], name: string): FlatMetric {
  const metric = metrics.find((m) => m.name === name);
  assert.ok(metric, `no metric ${name} in [${metrics.map((m) => m.name).join(', ')}]`);
  return metric;
}

function withoutTimes(metric: FlatMetric): unknown {
  return { ...metric, points: metric.points.map(({ startTimeUnixNano, timeUnixNano, ...rest }) => rest) };
}

describe('startOtlpReceiver with the stock OTLP exporters', () => {
  let receiver: OtlpReceiver | undefined;
  let provider: MeterProvider | undefined;

  afterEach(async () => {
    await provider?.shutdown();
    await receiver?.close();
    provider = undefined;
    receiver = undefined;
  });

  for (const encoding of ['protobuf', 'json'] as const) {
    it(`decodes a ${encoding} export into flat metrics with cumulative temporality`, async () => {
      receiver = await startOtlpReceiver();
      const run = pipeline(exporterFor(encoding, receiver));
      provider = run.provider;
      await run.reader.forceFlush();

      const [request] = receiver.requests;
      assert.equal(request?.contentType, encoding === 'json' ? 'application/json' : 'application/x-protobuf');
      assert.equal(request?.path, '/v1/metrics');
      assert.equal(request?.status, 200);
      const metrics = receiver.metrics();
      const calls = byName(metrics, 'skill.calls');
      assert.deepEqual(withoutTimes(calls), {
        name: 'skill.calls',
        unit: '{call}',
        description: 'Skill calls',
        kind: 'sum',
        temporality: 'cumulative',
        isMonotonic: true,
        resource: calls.resource,
        scopeName: 'helper-test',
        scopeVersion: '2.0.0',
        points: [{ attributes: { skill: 'search', ok: true }, value: 3 }],
      });
      assert.equal(calls.resource['service.name'], 'helper-test');
      assert.ok(calls.points[0] !== undefined && calls.points[0].timeUnixNano >= calls.points[0].startTimeUnixNano);
      assert.ok((calls.points[0]?.startTimeUnixNano ?? 0) > Date.UTC(2024, 0) * 1e6);
      const duration = byName(metrics, 'skill.duration');
      assert.deepEqual(withoutTimes(duration), {
        name: 'skill.duration',
        unit: 'ms',
        description: '',
        kind: 'histogram',
        temporality: 'cumulative',
        resource: duration.resource,
        scopeName: 'helper-test',
        scopeVersion: '2.0.0',
        points: [
          {
            attributes: { skill: 'search' },
            count: 1,
            sum: 30,
            min: 30,
            max: 30,
            bucketCounts: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            explicitBounds: [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000],
          },
        ],
      });
    });
  }

  it('decodes the protobuf and the JSON encoding of one collection to the same request', async () => {
    receiver = await startOtlpReceiver();
    const reader = new ManualReader();
    provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
    recordSample(provider);
    provider.getMeter('helper-test').createUpDownCounter('skill.inflight').add(0);
    const { resourceMetrics } = await reader.collect();

    await exportOnce(exporterFor('protobuf', receiver), resourceMetrics);
    await exportOnce(exporterFor('json', receiver), resourceMetrics);

    const [proto, json] = receiver.requests;
    assert.equal(proto?.contentType, 'application/x-protobuf');
    assert.equal(json?.contentType, 'application/json');
    assert.ok(proto?.body);
    assert.deepEqual(json?.body, proto.body);
  });

  it('reports delta temporality when the exporter prefers it', async () => {
    receiver = await startOtlpReceiver();
    const run = pipeline(exporterFor('json', receiver, { temporalityPreference: AggregationTemporalityPreference.DELTA }));
    provider = run.provider;
    await run.reader.forceFlush();
    assert.equal(byName(receiver.metrics(), 'skill.calls').temporality, 'delta');
  });

  it('decodes a gzip-compressed export', async () => {
    receiver = await startOtlpReceiver();
    const compression = 'gzip' as ExporterConfig['compression'];
    const run = pipeline(exporterFor('protobuf', receiver, { compression }));
    provider = run.provider;
    await run.reader.forceFlush();
    assert.equal(receiver.requests[0]?.contentEncoding, 'gzip');
    assert.equal(byName(receiver.metrics(), 'skill.calls').points[0]?.value, 3);
  });

  it('accepts an export that carries the configured basic auth', async () => {
    receiver = await startOtlpReceiver({ basicAuth: CREDENTIALS });
    const run = pipeline(exporterFor('protobuf', receiver, { headers: { Authorization: AUTHORIZATION } }));
    provider = run.provider;
    await run.reader.forceFlush();
    assert.equal(receiver.requests[0]?.headers.authorization, AUTHORIZATION);
    assert.equal(receiver.requests[0]?.status, 200);
    assert.equal(receiver.metrics().length, 2);
  });

  it('answers 401 without the right credentials and the exporter reports the export as failed', async () => {
    receiver = await startOtlpReceiver({ basicAuth: CREDENTIALS });
    const reader = new ManualReader();
    provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
    recordSample(provider);
    const { resourceMetrics } = await reader.collect();
    const wrongPassword = `Basic ${Buffer.from('agent:nope').toString('base64')}`;

    const anonymous = await exportOnce(exporterFor('json', receiver), resourceMetrics);
    const wrong = await exportOnce(exporterFor('json', receiver, { headers: { Authorization: wrongPassword } }), resourceMetrics);

    for (const result of [anonymous, wrong]) {
      assert.notEqual(result.code, 0, 'ExportResultCode.SUCCESS');
      assert.equal(result.error?.name, 'OTLPExporterError');
      assert.equal((result.error as Error & { code?: number }).code, 401);
    }
    assert.deepEqual(
      receiver.requests.map((r) => r.status),
      [401, 401],
    );
    assert.deepEqual(receiver.metrics(), []);
  });

  it('answers a scripted 503 that the exporter retries until it is accepted', async () => {
    receiver = await startOtlpReceiver({ responses: [503], retryAfterSeconds: 0 });
    const run = pipeline(exporterFor('protobuf', receiver));
    provider = run.provider;
    await run.reader.forceFlush();

    const requests = await receiver.waitForRequests(2, 2_000);
    assert.deepEqual(
      requests.map((r) => r.status),
      [503, 200],
    );
    assert.deepEqual(requests[0]?.body, requests[1]?.body);
    assert.equal(receiver.metrics().filter((m) => m.name === 'skill.calls').length, 1);
  });
});

describe('startOtlpReceiver answering malformed requests', () => {
  let receiver: OtlpReceiver;

  beforeEach(async () => {
    receiver = await startOtlpReceiver();
  });

  afterEach(() => receiver.close());

  it('answers 404 to another path and records which one', async () => {
    const response = await fetch(`${receiver.baseUrl}/v1/traces`, {
      method: 'POST',
      body: '{}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(response.status, 404);
    assert.equal(receiver.requests[0]?.path, '/v1/traces');
  });

  it('answers 415 to a body that is neither protobuf nor JSON', async () => {
    const response = await fetch(receiver.url, { method: 'POST', body: 'x', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(response.status, 415);
    assert.equal(receiver.requests[0]?.decodeError, "unsupported Content-Type 'text/plain'");
  });

  it('answers 400 to a JSON body that is no export request', async () => {
    const response = await fetch(receiver.url, {
      method: 'POST',
      body: '{"resourceMetrics": 5}',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(response.status, 400);
    assert.match(receiver.requests[0]?.decodeError ?? '', /resourceMetrics/);
  });

  it('rejects waitForRequests naming what arrived when too few requests come', async () => {
    await fetch(`${receiver.baseUrl}/nope`, { method: 'GET' });
    await assert.rejects(receiver.waitForRequests(2, 50), /1 of 2 requests within 50 ms: \[GET \/nope - -> 404\]/);
  });
});
