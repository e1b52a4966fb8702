import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type MetricReader, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { loadConfig } from '../../src/config/loadConfig.js';
import type { AnalyticsOptions } from '../../src/config/types.js';
import { createMetricReaders } from '../../src/exporters/createMetricReaders.js';
import type { Clock } from '../../src/instruments/clock.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import type { Recording } from './viewsWorkload.js';

/** The two ways an application runs the package. */
export type Mode = 'startAnalytics' | 'own MeterProvider';

/** Where one pipeline writes: its database, its OTLP receiver. */
export interface PipelineOptions {
  readonly views: ViewOptions[];
  readonly sqlitePath: string;
  readonly otlpUrl: string;
  readonly clock: Clock;
}

/** sqlite, prometheus and otlp on one MeterProvider with the given Views. */
export interface Pipeline {
  readonly skills: Recording;
  /** The /metrics URL, on 127.0.0.1. */
  readonly metricsUrl: URL;
  /** Pushes sqlite and otlp now. */
  flush(): Promise<void>;
  /** Final push, then stops every backend and server. Safe to call twice. */
  shutdown(): Promise<void>;
}

/** Every backend at once; the periodic pushes are an hour apart, so only flush() and shutdown() push. */
function backendOptions({ sqlitePath, otlpUrl }: PipelineOptions): AnalyticsOptions {
  return {
    logLevel: 'none',
    backends: ['sqlite', 'prometheus', 'otlp'],
    sqlite: { path: sqlitePath, flushIntervalMs: 3_600_000 },
    prometheus: { host: '127.0.0.1', port: 0 },
    otlp: { url: otlpUrl, pushIntervalMs: 3_600_000 },
  };
}

/** Starts a pipeline the way `mode` says, ready to record. */
export function startPipeline(mode: Mode, options: PipelineOptions): Promise<Pipeline> {
  return mode === 'startAnalytics' ? startWithAnalytics(options) : startOwnProvider(options);
}

async function startWithAnalytics(options: PipelineOptions): Promise<Pipeline> {
  const analytics = startAnalytics({ env: {}, flushOnExit: false, ...backendOptions(options), clock: options.clock, views: options.views });
  try {
    await analytics.ready;
  } catch (error) {
    await analytics.shutdown();
    throw error;
  }
  const prometheus = analytics.describeBackends().find((line) => line.startsWith('prometheus: '));
  return {
    skills: analytics,
    metricsUrl: new URL(prometheus!.replace('prometheus: ', '')),
    flush: () => analytics.flush(),
    shutdown: () => analytics.shutdown(),
  };
}

/**
 * The documented path of an application with its own MeterProvider (docs/backends.md): our readers
 * from createMetricReaders, its own Views, a SkillMetrics over the provider, and the Prometheus
 * handler mounted on the application's own server.
 */
async function startOwnProvider(options: PipelineOptions): Promise<Pipeline> {
  const readers = createMetricReaders(loadConfig({}, backendOptions(options)), { prometheusServer: false });
  const provider = new MeterProvider({ readers, views: options.views });
  const skills = SkillMetrics.fromMeterProvider(provider, { clock: options.clock });
  const exporter = readers.find(isPrometheusExporter);
  const server = createServer((request, response) => exporter!.getMetricsRequestHandler(request, response));
  let stopped: Promise<void> | undefined;
  const shutdown = () =>
    (stopped ??= (async () => {
      await closeServer(server);
      await provider.shutdown();
    })());
  try {
    const port = await listen(server);
    return { skills, metricsUrl: new URL(`http://127.0.0.1:${port}/metrics`), flush: () => provider.forceFlush(), shutdown };
  } catch (error) {
    await shutdown();
    throw error;
  }
}

/** The pull reader of the prometheus backend, told by its request handler (it is loaded by the package, not imported here). */
function isPrometheusExporter(reader: MetricReader): reader is PrometheusExporter {
  return typeof (reader as unknown as Partial<PrometheusExporter>).getMetricsRequestHandler === 'function';
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
