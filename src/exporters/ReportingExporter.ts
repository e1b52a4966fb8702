import type { AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { OtlpAuthError, OtlpExportError } from '../core/errors.js';
import { log } from '../core/log.js';

/** OpenTelemetry's ExportResult, structurally (its enum lives in @opentelemetry/core). */
interface ExportResult {
  code: number;
  error?: Error;
}

const SUCCESS = 0;

/** What a person can ask of an export path: did the last push work? */
export interface ExportStatus {
  readonly exports: number;
  readonly failures: number;
  readonly lastError: Error | undefined;
  readonly lastSuccessAt: Date | undefined;
}

/**
 * Wraps an OTLP exporter so a failure explains itself: a 401 or 403 names the credential variables,
 * anything else names the endpoint, and neither ever carries the token. The wrapped exporter keeps
 * its own retries (429, 502, 503, 504 with backoff).
 */
export class ReportingExporter implements PushMetricExporter {
  readonly #inner: PushMetricExporter;
  readonly #url: string;
  #status: ExportStatus = { exports: 0, failures: 0, lastError: undefined, lastSuccessAt: undefined };

  constructor(inner: PushMetricExporter, safeUrl: string) {
    this.#inner = inner;
    this.#url = safeUrl;
  }

  get status(): ExportStatus {
    return this.#status;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    this.#inner.export(metrics, (result: ExportResult) => {
      if (result.code === SUCCESS) {
        this.#status = { ...this.#status, exports: this.#status.exports + 1, lastSuccessAt: new Date() };
        if (log.over(this.#failingKey)) log.warn(`OTLP export to ${this.#url} works again`);
        return resultCallback(result);
      }
      const error = this.#explain(result.error);
      // Said once until pushes work again, whatever the application did with diag (the SDK reports it there too).
      log.once(this.#failingKey, 'error', error.message);
      this.#status = { ...this.#status, exports: this.#status.exports + 1, failures: this.#status.failures + 1, lastError: error };
      resultCallback({ code: result.code, error });
    });
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.#inner.selectAggregationTemporality!(instrumentType);
  }

  get #failingKey(): string {
    return `otlp-failing:${this.#url}`;
  }

  #explain(error: Error | undefined): Error {
    const status = (error as { code?: unknown } | undefined)?.code;
    if (status === 401 || status === 403) return new OtlpAuthError(this.#url, status, { cause: error });
    const detail = typeof status === 'number' ? `HTTP ${status}` : (error?.message ?? 'unknown error');
    return new OtlpExportError(this.#url, detail, { cause: error });
  }
}
