import { PeriodicExportingMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { SqliteConfig } from '../config/types.js';
import { SqliteMetricExporter } from '../sqlite-exporter/SqliteMetricExporter.js';
import type { Backend } from './Backend.js';

/** Settings of the SQLite backend beyond its config. */
export interface SqliteBackendOptions {
  /** Metric sources for the reader: startAnalytics passes its per-user detail producer. @default [] */
  readonly metricProducers?: MetricProducer[];
}

/**
 * The embedded default: a SqliteMetricExporter on a PeriodicExportingMetricReader that writes every
 * `flushIntervalMs` and once more at shutdown. Opening the database happens here, so a damaged or
 * foreign file fails at start with an error naming it.
 */
export function createSqliteBackend(config: SqliteConfig, options: SqliteBackendOptions = {}): Backend {
  const exporter = new SqliteMetricExporter({
    path: config.path,
    bufferRows: config.bufferRows,
    busyTimeoutMs: config.busyTimeoutMs,
    retentionDays: config.retentionDays,
  });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: config.flushIntervalMs,
    exportTimeoutMillis: Math.min(30_000, config.flushIntervalMs),
    metricProducers: options.metricProducers ?? [],
  });
  return { name: 'sqlite', reader, ready: Promise.resolve(), describe: () => `${exporter.path} (every ${config.flushIntervalMs / 1000} s)` };
}
