import type Database from 'better-sqlite3';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { DEFAULTS } from '../config/defaults.js';
import { MEMORY, defaultSqlitePath } from '../config/sqlitePath.js';
import { failed, type ExportResult } from './exportResult.js';
import { InThreadTarget, type ExportTarget } from './ExportTarget.js';
import { splitExport, type SplitExport } from './mapping.js';
import { SqliteSink } from './SqliteSink.js';
import { WriterThread } from './WriterThread.js';

/** Settings of {@link SqliteMetricExporter}. */
export interface SqliteMetricExporterOptions {
  /** The database file, absolute, or ':memory:'. Opened (and created) by the exporter. @default the config's sqlite.path */
  path?: string;
  /** An already open database instead of `path`, written in this thread; the exporter does not close it. */
  database?: Database.Database;
  /** Rows kept while writes fail, before the oldest fold into per-skill rows. @default 100000 */
  bufferRows?: number;
  /** How long a write waits for another process's lock. @default 250 */
  busyTimeoutMs?: number;
  /** Apply retention at start and daily, keeping this many days; undefined for none. @default undefined */
  retentionDays?: number;
}

/**
 * A PushMetricExporter that writes into SQLite: the exact per-call record of the SQLite reader's
 * side channel into the guide's tables (skill_usage, skill_metrics and the aggregates), any other
 * metric (ours renamed by a View included, less its points that count nothing) into metric_series
 * and metric_points. Our metrics as the Meter reports them are not stored again. Run it on the SQLite reader `createMetricReaders` builds,
 * which reads the exact record; on a plain PeriodicExportingMetricReader it gets only generic
 * metrics. A failed write (locked, read-only, disk full) loses nothing: the rows wait in a bounded
 * buffer and go out with a later export.
 *
 * The database lives in a writer thread of the exporter's own (a worker thread, see WriterThread):
 * opening, mapping and writing never block the application's event loop, which only hands each
 * export over in a few flat arrays, a batch per turn. A database given as `database`, and
 * ':memory:', which another thread could not share, are written in this thread instead.
 *
 * The constructor never throws for the database itself: a file that is locked, foreign, damaged or
 * unsafe is reported through {@link SqliteMetricExporter.ready} (which rejects) and once through
 * our logger, and tried again at later exports (a lock at each, anything else once a minute). Calls
 * wait in the bounded buffer meanwhile; a file that cannot serve is never written, and the calls
 * recorded for it are said to be lost, in calls.
 */
export class SqliteMetricExporter implements PushMetricExporter {
  readonly path: string;
  /** Resolves once the database is open; rejects with the problem when it could not be opened at start. */
  readonly ready: Promise<void>;
  readonly #target: ExportTarget;

  constructor(options: SqliteMetricExporterOptions = {}) {
    this.path = options.database?.name ?? options.path ?? defaultSqlitePath();
    const settings = {
      path: this.path,
      bufferRows: options.bufferRows ?? DEFAULTS.sqlite.bufferRows,
      busyTimeoutMs: options.busyTimeoutMs ?? DEFAULTS.sqlite.busyTimeoutMs,
      retentionDays: options.retentionDays,
    };
    const inThread = options.database !== undefined || this.path === MEMORY;
    this.#target = inThread ? new InThreadTarget(new SqliteSink({ ...settings, database: options.database })) : new WriterThread(settings);
    this.ready = this.#target.ready;
  }

  /** Rows waiting to be written (with the writer thread: as of its last answer). */
  get pendingRows(): number {
    return this.#target.pendingRows;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    let split: SplitExport;
    try {
      split = splitExport(metrics);
    } catch (error) {
      resultCallback(failed(error));
      return;
    }
    void this.#target.export(split).then(resultCallback);
  }

  /**
   * {@link SqliteMetricExporter.export}, synchronously: hands `metrics` over and returns once they
   * are written (or kept for a later export), with the result.
   */
  exportNow(metrics: ResourceMetrics): ExportResult {
    try {
      return this.#target.exportNow(splitExport(metrics));
    } catch (error) {
      return failed(error);
    }
  }

  /**
   * The way out of a process that is ending ('exit': no promise runs any more): writes `metrics`
   * and everything waiting once, synchronously (waiting at most the busy timeout for a lock), says
   * in calls what could not be written and is lost, and closes the database it opened.
   */
  closeNow(metrics: ResourceMetrics | undefined): void {
    let split: SplitExport | undefined;
    try {
      split = metrics === undefined ? undefined : splitExport(metrics);
    } catch {
      split = undefined; // as an export of it would have failed: what waits is still written
    }
    this.#target.closeNow(split);
  }

  /** Tries once more to write what is waiting. */
  forceFlush(): Promise<void> {
    return this.#target.retry();
  }

  /** Writes what is left (retrying a busy lock briefly), stops retention and closes the database it opened. */
  shutdown(): Promise<void> {
    return this.#target.close();
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }
}
