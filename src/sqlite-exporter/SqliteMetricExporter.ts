import type Database from 'better-sqlite3';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { DEFAULTS } from '../config/defaults.js';
import { resolveSqlitePath } from '../config/sqlitePath.js';
import { SqliteWriteError } from '../errors.js';
import { log } from '../log.js';
import { mapExport, type SkippedMetric } from './mapping.js';
import { leaveWalWhenLast, openAnalyticsDatabase } from './openDatabase.js';
import { scheduleRetention } from './retention.js';
import { RetryBuffer, type BufferLosses } from './RetryBuffer.js';
import { SqliteWriter } from './SqliteWriter.js';

/** OpenTelemetry's ExportResult, structurally (its enum lives in @opentelemetry/core). */
interface ExportResult {
  code: number;
  error?: Error;
}

const SUCCESS = 0;
const FAILED = 1;
/** Busy exports in a row before a lock held by another process is reported as a failure. */
const BUSY_EXPORTS_BEFORE_REPORT = 3;
/** Waits between the last write attempts at shutdown, while another process holds the lock. */
const SHUTDOWN_RETRIES_MS = [50, 100, 200, 400, 800];

/** Settings of {@link SqliteMetricExporter}. */
export interface SqliteMetricExporterOptions {
  /** The database file, absolute, or ':memory:'. Opened (and created) by the exporter. @default the config's sqlite.path */
  path?: string;
  /** An already open database instead of `path`; the exporter does not close it. */
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
 * metric (ours renamed by a View included) into metric_series and metric_points. Our metrics as the
 * Meter reports them are not stored again. Run it on the reader `createMetricReaders` builds. Run it with a PeriodicExportingMetricReader. A failed write (locked, read-only,
 * disk full) loses nothing: the rows wait in a bounded buffer and go out with a later export.
 */
export class SqliteMetricExporter implements PushMetricExporter {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #ownsDatabase: boolean;
  readonly #writer: SqliteWriter;
  readonly #buffer: RetryBuffer;
  readonly #retention: { stop(): void } | undefined;
  readonly #reported: BufferLosses = { foldedRows: 0, droppedPoints: 0 };
  #failing = false;
  #busyInARow = 0;
  #shutdown: Promise<void> | undefined;

  constructor(options: SqliteMetricExporterOptions = {}) {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULTS.sqlite.busyTimeoutMs;
    this.#ownsDatabase = options.database === undefined;
    this.#db = options.database ?? openAnalyticsDatabase(options.path ?? resolveSqlitePath(DEFAULTS.sqlite.path, process.env['HOME']), { busyTimeoutMs });
    this.path = this.#db.name;
    this.#writer = new SqliteWriter(this.#db);
    this.#buffer = new RetryBuffer(options.bufferRows ?? DEFAULTS.sqlite.bufferRows);
    this.#retention =
      options.retentionDays === undefined
        ? undefined
        : scheduleRetention(this.#db, options.retentionDays, (error: unknown) => log.error(`retention on ${this.path} failed`, error));
  }

  /** Rows waiting to be written. */
  get pendingRows(): number {
    return this.#buffer.size;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    if (this.#shutdown !== undefined) {
      resultCallback({ code: FAILED, error: new Error(`The SQLite exporter for ${this.path} is shut down`) });
      return;
    }
    try {
      const { skipped, ...mapped } = mapExport(metrics);
      this.#buffer.add(mapped);
      this.#reportSkipped(skipped);
    } catch (error) {
      resultCallback({ code: FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      return;
    }
    const error = this.#writePending();
    if (error === undefined) return resultCallback({ code: SUCCESS });
    // Several processes share one file: a lock held for a moment is normal, the rows simply wait.
    if (isBusy(error) && ++this.#busyInARow < BUSY_EXPORTS_BEFORE_REPORT) {
      log.debug(`${this.path} is busy; ${this.#buffer.size} rows wait for the next export`);
      return resultCallback({ code: SUCCESS });
    }
    this.#failing = true;
    log.once(this.#failingKey, 'error', error.message);
    resultCallback({ code: FAILED, error });
  }

  /** Tries once more to write what is waiting. */
  async forceFlush(): Promise<void> {
    this.#writePending();
  }

  /** Writes what is left (retrying a busy lock briefly), stops retention and closes the database it opened. */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#close();
    return this.#shutdown;
  }

  selectAggregationTemporality(): AggregationTemporality {
    return AggregationTemporality.CUMULATIVE;
  }

  async #close(): Promise<void> {
    this.#retention?.stop();
    let error = this.#writePending();
    for (const waitMs of SHUTDOWN_RETRIES_MS) {
      if (error === undefined || !isBusy(error)) break;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      error = this.#writePending();
    }
    if (error !== undefined) log.error(`${this.#buffer.size} rows could not be written before shutdown and are lost`, error);
    if (this.#ownsDatabase) {
      leaveWalWhenLast(this.#db);
      this.#db.close();
    }
  }

  #writePending(): SqliteWriteError | undefined {
    if (this.#buffer.size === 0) return undefined;
    try {
      this.#writer.write(this.#buffer.peek());
      this.#buffer.clear();
      this.#busyInARow = 0;
      if (this.#failing && log.over(this.#failingKey)) log.warn(`writing to ${this.path} works again; nothing was lost`);
      this.#failing = false;
      return undefined;
    } catch (cause) {
      const error = new SqliteWriteError(this.path, this.#buffer.size, { cause });
      this.#buffer.bound();
      return error;
    } finally {
      this.#reportLosses();
    }
  }

  get #failingKey(): string {
    return `sqlite-failing:${this.path}`;
  }

  #reportSkipped(skipped: readonly SkippedMetric[]): void {
    for (const { name, reason } of skipped) {
      log.once(`sqlite-skipped:${this.path}:${name}`, 'warn', `metric ${name} is not stored in ${this.path} as it is: ${reason}; everything else is`);
    }
  }

  #reportLosses(): void {
    const { foldedRows, droppedPoints } = this.#buffer.losses;
    if (foldedRows === this.#reported.foldedRows && droppedPoints === this.#reported.droppedPoints) return;
    this.#reported.foldedRows = foldedRows;
    this.#reported.droppedPoints = droppedPoints;
    log.warn(
      `the SQLite retry buffer is full (ANALYTICS_DB_BUFFER_ROWS): ${foldedRows} usage rows were folded into ` +
        `per-skill overflow rows (counts kept, user split lost) and ${droppedPoints} generic metric points were dropped so far.`,
    );
  }
}

function isBusy(error: SqliteWriteError): boolean {
  return error.sqliteCode?.startsWith('SQLITE_BUSY') === true || error.sqliteCode?.startsWith('SQLITE_LOCKED') === true;
}
