import { PeriodicExportingMetricReader, type CollectionResult, type MetricReader } from '@opentelemetry/sdk-metrics';
import type { SqliteConfig } from '../config/types.js';
import { collectLinking, DetailLinks, registerLinkingReader } from '../instruments/DetailLinks.js';
import { SkillDetailProducer } from '../instruments/SkillDetailProducer.js';
import { SqliteMetricExporter } from '../sqlite-exporter/SqliteMetricExporter.js';
import type { Backend } from './Backend.js';

/**
 * The embedded default: a SqliteMetricExporter on a PeriodicExportingMetricReader that writes every
 * `flushIntervalMs` and once more at shutdown. The database is opened here; a locked, damaged,
 * foreign or unsafe file never stops the application: `ready` rejects with the problem.
 *
 * Besides the metrics of its MeterProvider (stored as generic metrics, ours excepted), the reader
 * reads the exact per-call record of every SkillMetrics on that provider through its own
 * {@link SkillDetailProducer}: the side channel that feeds skill_usage, which no View touches.
 */
export function createSqliteBackend(config: SqliteConfig): Backend {
  const exporter = new SqliteMetricExporter({
    path: config.path,
    bufferRows: config.bufferRows,
    busyTimeoutMs: config.busyTimeoutMs,
    retentionDays: config.retentionDays,
  });
  const reader = new SqliteMetricReader(exporter, config);
  return {
    name: 'sqlite',
    reader,
    ready: exporter.ready,
    describe: () => `${exporter.path} (every ${config.flushIntervalMs / 1000} s)`,
    flushSync: (final) => reader.flushSync(final),
  };
}

/** The reader settings of the SQLite backend. */
export type SqliteReaderConfig = Pick<SqliteConfig, 'flushIntervalMs' | 'cardinalityLimit' | 'retentionDays'>;

/** The SQLite backend's reader: it links the recorders of its provider while it collects (DetailLinks). */
export class SqliteMetricReader extends PeriodicExportingMetricReader {
  readonly #links: DetailLinks;
  readonly #detail: SkillDetailProducer;
  readonly #exporter: SqliteMetricExporter;
  readonly #unregister: () => void;

  constructor(exporter: SqliteMetricExporter, config: SqliteReaderConfig) {
    const links = new DetailLinks(config.cardinalityLimit, config.retentionDays);
    const detail = new SkillDetailProducer(links);
    super({
      exporter,
      exportIntervalMillis: config.flushIntervalMs,
      exportTimeoutMillis: Math.min(30_000, config.flushIntervalMs),
      metricProducers: [detail],
    });
    this.#links = links;
    this.#detail = detail;
    this.#exporter = exporter;
    this.#unregister = registerLinkingReader(this);
  }

  /**
   * Writes the exact record of every linked recorder now, synchronously, without a collection of
   * the provider (which needs promises): the way out when no promise will run again. The
   * application's own metrics keep what the last export wrote. With `final`, closes the database.
   */
  flushSync(final: boolean): void {
    const { resourceMetrics } = this.#detail.collectNow();
    if (final) {
      this.#exporter.closeNow(resourceMetrics);
      this.#links.close();
    } else {
      this.#exporter.exportNow(resourceMetrics);
    }
  }

  override collect(options?: Parameters<MetricReader['collect']>[0]): Promise<CollectionResult> {
    return collectLinking(this.#links, () => super.collect(options));
  }

  /** Runs the observable callbacks of this reader's provider once, so its recorders link now. */
  linkNow(): void {
    this.#links.probe(() => super.collect());
  }

  protected override async onShutdown(): Promise<void> {
    this.#unregister();
    try {
      await super.onShutdown();
    } finally {
      this.#links.close();
    }
  }
}
