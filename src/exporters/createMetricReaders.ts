import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import type { AnalyticsConfig, BackendName } from '../config/types.js';
import type { Backend } from './Backend.js';
import { createConsoleBackend } from './console.js';
import { createOtlpBackend } from './otlp.js';
import { createPrometheusBackend } from './prometheus.js';
import { createSqliteBackend } from './sqlite.js';

/** Settings shared by every backend factory. */
export interface BackendOptions {
  /** Extra metric sources the Prometheus, OTLP and console readers read. @default [] */
  metricProducers?: MetricProducer[];
  /** Prometheus: start our own server; false to mount `metricsHandler` yourself. @default true */
  prometheusServer?: boolean;
}

/** One Backend per configured backend name, in order. */
export function createBackends(config: AnalyticsConfig, options: BackendOptions = {}): Backend[] {
  const backends: Backend[] = [];
  try {
    for (const name of config.backends) backends.push(createBackend(name, config, options));
  } catch (error) {
    // Stop what already started (a listening /metrics server, an open database) before failing.
    for (const backend of backends) void backend.reader.shutdown().catch(() => undefined);
    throw error;
  }
  return backends;
}

/**
 * The MetricReaders of the configured backends, to pass to your own
 * `new MeterProvider({ readers, views })`; record through `SkillMetrics.fromMeterProvider(provider)`.
 * The SQLite reader finds that SkillMetrics by itself (docs/data-flow.md).
 */
export function createMetricReaders(config: AnalyticsConfig, options: BackendOptions = {}): MetricReader[] {
  return createBackends(config, options).map((backend) => backend.reader);
}

function createBackend(name: BackendName, config: AnalyticsConfig, options: BackendOptions): Backend {
  const metricProducers = options.metricProducers ?? [];
  switch (name) {
    case 'prometheus':
      return createPrometheusBackend(config.prometheus, {
        metricProducers,
        server: options.prometheusServer ?? true,
        cardinalityLimit: config.cardinalityLimit,
      });
    case 'otlp':
      return createOtlpBackend(config.otlp, { metricProducers, cardinalityLimit: config.cardinalityLimit });
    case 'console':
      return createConsoleBackend(config.otlp.pushIntervalMs, { metricProducers, cardinalityLimit: config.cardinalityLimit });
    case 'sqlite':
      return createSqliteBackend(config.sqlite);
  }
}
