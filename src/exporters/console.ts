import { ConsoleMetricExporter, PeriodicExportingMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Backend } from './Backend.js';

/** Prints what would be exported to stdout, every `intervalMs`: for debugging. */
export function createConsoleBackend(intervalMs: number, options: { metricProducers?: MetricProducer[] } = {}): Backend {
  const reader = new PeriodicExportingMetricReader({
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: Math.min(30_000, intervalMs),
    metricProducers: options.metricProducers ?? [],
  });
  return { name: 'console', reader, ready: Promise.resolve(), describe: () => `stdout, every ${intervalMs / 1000} s` };
}
