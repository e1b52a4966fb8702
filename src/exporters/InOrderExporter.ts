import type { AggregationTemporality, InstrumentType, PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';

/** OpenTelemetry's ExportResult, structurally (its enum lives in @opentelemetry/core). */
interface ExportResult {
  code: number;
  error?: Error;
}

type ResultCallback = (result: ExportResult) => void;

const FAILED = 1;

/** The newest state not yet handed on, and everyone waiting to hear how it went. */
interface Waiting {
  readonly metrics: ResourceMetrics;
  readonly callbacks: ResultCallback[];
}

/**
 * Hands the wrapped exporter one export at a time, so that no push sends an older cumulative state
 * after a newer one. The OTLP exporter retries a failed push itself (429, 502, 503, 504, after
 * `Retry-After` or a backoff) for up to its timeout and beyond, while PeriodicExportingMetricReader
 * gives up waiting after its own timeout and starts the next push: left alone, an old push's retry
 * lands after a newer push, and the receiver's totals go backwards.
 *
 * While a push is in flight, the newest export waits, and an export that arrives while another
 * waits replaces it: that one's callback then gets the result of the push that replaced it. This
 * loses nothing because every export is the whole cumulative state of the reader (one batch, no
 * `maxExportBatchSize`), so a newer one carries everything an older one did; and since the reader
 * collects one state at a time and hands them over in that order, the order of the calls is the
 * order of the states (the data's own timestamps are not used: the wall clock can step back).
 */
export class InOrderExporter implements PushMetricExporter {
  readonly #inner: PushMetricExporter;
  #waiting: Waiting | undefined;
  #sending: Promise<void> | undefined;

  constructor(inner: PushMetricExporter) {
    this.#inner = inner;
  }

  export(metrics: ResourceMetrics, resultCallback: ResultCallback): void {
    this.#waiting = { metrics, callbacks: [...(this.#waiting?.callbacks ?? []), resultCallback] };
    this.#sending ??= this.#sendInTurn();
  }

  /** Waits until every export handed over so far has been pushed or replaced, then flushes the wrapped exporter. */
  async forceFlush(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
    await this.#inner.forceFlush();
  }

  async shutdown(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
    await this.#inner.shutdown();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.#inner.selectAggregationTemporality!(instrumentType);
  }

  async #sendInTurn(): Promise<void> {
    try {
      for (let next = this.#take(); next !== undefined; next = this.#take()) {
        const result = await exportOnce(this.#inner, next.metrics);
        for (const callback of next.callbacks) callback(result);
      }
    } finally {
      this.#sending = undefined;
    }
  }

  #take(): Waiting | undefined {
    const next = this.#waiting;
    this.#waiting = undefined;
    return next;
  }
}

/** One push through `exporter`; a throw becomes a failed result, so one bad push cannot stop the ones after it. */
function exportOnce(exporter: PushMetricExporter, metrics: ResourceMetrics): Promise<ExportResult> {
  return new Promise((resolve) => {
    try {
      exporter.export(metrics, resolve);
    } catch (error) {
      resolve({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  });
}
