import { ConsoleMetricExporter, PeriodicExportingMetricReader, type MetricProducer } from '@opentelemetry/sdk-metrics';
import type { Backend } from './Backend.js';
import { readerCardinalityLimit } from './cardinality.js';

/** Prints what would be exported to stdout, every `intervalMs`: for debugging. */
export function createConsoleBackend(
  intervalMs: number,
  options: { metricProducers?: MetricProducer[]; cardinalityLimit?: number } = {},
): Backend {
  const reader = new PeriodicExportingMetricReader({
    cardinalityLimits: { default: readerCardinalityLimit(options.cardinalityLimit ?? 2000) },
    exporter: new ConsoleMetricExporter(),
    exportIntervalMillis: intervalMs,
    exportTimeoutMillis: Math.min(30_000, intervalMs),
    metricProducers: options.metricProducers ?? [],
  });
  return { name: 'console', reader, ready: Promise.resolve(), describe: () => `stdout, every ${intervalMs / 1000} s` };
}
