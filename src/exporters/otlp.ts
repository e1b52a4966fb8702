import {
  AggregationTemporality,
  PeriodicExportingMetricReader,
  type MetricProducer,
  type PushMetricExporter,
} from '@opentelemetry/sdk-metrics';
import type * as OtlpHttpPackage from '@opentelemetry/exporter-metrics-otlp-http';
import type * as OtlpProtoPackage from '@opentelemetry/exporter-metrics-otlp-proto';
import type { OtlpConfig } from '../config/types.js';
import { AnalyticsError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Backend } from './Backend.js';
import { readerCardinalityLimit } from './cardinality.js';
import { InOrderExporter } from './InOrderExporter.js';
import { loadExporterPackage } from './loadPackage.js';
import { otlpPlainHttpWarning } from './otlpPlainHttpWarning.js';
import { redactUrl } from './redactUrl.js';
import { ReportingExporter } from './ReportingExporter.js';

/** Settings of the OTLP backend beyond its config. */
export interface OtlpBackendOptions {
  /** Extra metric sources for the reader. @default [] */
  readonly metricProducers?: MetricProducer[];
  /** Our series limit, which sets the reader's (readerCardinalityLimit). @default 2000 */
  readonly cardinalityLimit?: number;
}

/**
 * OTLP over HTTP (protobuf by default, JSON selectable) pushed every `pushIntervalMs` with
 * cumulative temporality, one push at a time and never an older state after a newer one (see
 * {@link InOrderExporter}), Basic auth of instance id and token when both are set (Grafana Cloud),
 * and a final push when the reader shuts down. Warns once, here, when credentials would cross the
 * network over plain http.
 */
export function createOtlpBackend(config: OtlpConfig, options: OtlpBackendOptions = {}): Backend {
  if (config.url === undefined)
    throw new AnalyticsError('The otlp backend needs OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_ENDPOINT); see docs/backends.md.');
  const safeUrl = redactUrl(config.url);
  const warning = otlpPlainHttpWarning(config);
  if (warning !== undefined) log.warn(warning);
  const exporter = new InOrderExporter(new ReportingExporter(createOtlpExporter(config), safeUrl));
  const reader = new PeriodicExportingMetricReader({
    exporter,
    cardinalityLimits: { default: readerCardinalityLimit(options.cardinalityLimit ?? 2000) },
    exportIntervalMillis: config.pushIntervalMs,
    exportTimeoutMillis: Math.min(config.timeoutMs, config.pushIntervalMs),
    metricProducers: options.metricProducers ?? [],
  });
  return {
    name: 'otlp',
    reader,
    ready: Promise.resolve(),
    describe: () => `${safeUrl} (${config.protocol}, every ${config.pushIntervalMs / 1000} s)`,
  };
}

function createOtlpExporter(config: OtlpConfig): PushMetricExporter {
  const packageName =
    config.protocol === 'json' ? '@opentelemetry/exporter-metrics-otlp-http' : '@opentelemetry/exporter-metrics-otlp-proto';
  const { OTLPMetricExporter } = loadExporterPackage<typeof OtlpProtoPackage | typeof OtlpHttpPackage>('otlp', packageName);
  return new OTLPMetricExporter({
    url: config.url,
    headers: otlpHeaders(config),
    temporalityPreference: AggregationTemporality.CUMULATIVE,
    timeoutMillis: config.timeoutMs,
    compression: config.compression as never,
  });
}

/** The request headers: configured ones, then Basic auth of instance id and token, which wins. */
export function otlpHeaders(config: OtlpConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) headers[name] = value.reveal();
  if (config.instanceId !== undefined && config.token !== undefined) {
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    headers['Authorization'] = `Basic ${Buffer.from(`${config.instanceId}:${config.token.reveal()}`).toString('base64')}`;
  }
  return headers;
}
