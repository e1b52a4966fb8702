import type Database from 'better-sqlite3';
import { AggregationTemporality, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { DEFAULTS } from '../config/defaults.js';
import { resolveSqlitePath } from '../config/sqlitePath.js';
import { DatabaseBusyError, SqliteWriteError } from '../errors.js';
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

/** An open database and what writes to it. */
interface OpenDatabase {
  readonly db: Database.Database;
  readonly writer: SqliteWriter;
  readonly retention: { stop(): void } | undefined;
}

/** How long a database problem other than a lock waits before the file is tried again. */
const REOPEN_AFTER_MS = 60_000;
/** How long after start retention first runs: it can wait, the application's start cannot. */
const FIRST_RETENTION_AFTER_MS = 60_000;

/**
 * A PushMetricExporter that writes into SQLite: the exact per-call record of the SQLite reader's
 * side channel into the guide's tables (skill_usage, skill_metrics and the aggregates), any other
 * metric (ours renamed by a View included) into metric_series and metric_points. Our metrics as the
 * Meter reports them are not stored again. Run it on the SQLite reader `createMetricReaders` builds,
 * which reads the exact record; on a plain PeriodicExportingMetricReader it gets only generic
 * metrics. A failed write (locked, read-only, disk full) loses nothing: the rows wait in a bounded
 * buffer and go out with a later export.
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
  readonly #options: SqliteMetricExporterOptions;
  readonly #ownsDatabase: boolean;
  readonly #buffer: RetryBuffer;
  readonly #reported: BufferLosses = { foldedRows: 0, droppedPoints: 0 };
  #open: OpenDatabase | undefined;
  /** Why the database is not open, while it is not. */
  #problem: Error | undefined;
  #nextOpenAt = 0;
  /** Calls recorded while the file could not serve, not yet said to be lost. */
  #lostCalls = 0;
  #failing = false;
  #busyInARow = 0;
  #shutdown: Promise<void> | undefined;

  constructor(options: SqliteMetricExporterOptions = {}) {
    this.#options = options;
    this.#ownsDatabase = options.database === undefined;
    this.#buffer = new RetryBuffer(options.bufferRows ?? DEFAULTS.sqlite.bufferRows);
    this.path = options.database?.name ?? options.path ?? resolveSqlitePath(DEFAULTS.sqlite.path, process.env['HOME']);
    this.#tryOpen(Date.now());
    const problem = this.#problem;
    this.ready = problem === undefined ? Promise.resolve() : Promise.reject(problem);
    this.ready.catch(() => undefined); // reported through our logger; a rejection nobody awaits is no crash
  }

  /** Rows waiting to be written. */
  get pendingRows(): number {
    return this.#buffer.size;
  }

  export(metrics: ResourceMetrics, resultCallback: (result: ExportResult) => void): void {
    resultCallback(this.exportNow(metrics));
  }

  /** {@link SqliteMetricExporter.export}, synchronously: maps, buffers and writes `metrics` now. */
  exportNow(metrics: ResourceMetrics): ExportResult {
    if (this.#shutdown !== undefined) return { code: FAILED, error: new Error(`The SQLite exporter for ${this.path} is shut down`) };
    try {
      const { skipped, ...mapped } = mapExport(metrics);
      this.#buffer.add(mapped);
      this.#reportSkipped(skipped);
    } catch (error) {
      return { code: FAILED, error: error instanceof Error ? error : new Error(String(error)) };
    }
    const error = this.#writePending();
    if (error === undefined) return { code: SUCCESS };
    if (!(error instanceof SqliteWriteError)) return { code: FAILED, error };
    // Several processes share one file: a lock held for a moment is normal, the rows simply wait.
    if (isBusy(error) && ++this.#busyInARow < BUSY_EXPORTS_BEFORE_REPORT) {
      log.debug(`${this.path} is busy; ${this.#buffer.describe()} wait for the next export`);
      return { code: SUCCESS };
    }
    this.#failing = true;
    log.once(this.#failingKey, 'error', error.message);
    return { code: FAILED, error };
  }

  /**
   * The way out of a process that is ending ('exit': no promise runs any more): writes `metrics`
   * and everything waiting once, synchronously (waiting at most the busy timeout for a lock), says
   * in calls what could not be written and is lost, and closes the database it opened.
   */
  closeNow(metrics: ResourceMetrics | undefined): void {
    if (this.#shutdown !== undefined) return;
    if (metrics !== undefined) this.exportNow(metrics);
    this.#shutdown = Promise.resolve();
    this.#finish(this.#writePending());
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
    let error = this.#writePending();
    for (const waitMs of SHUTDOWN_RETRIES_MS) {
      if (error === undefined || !isBusy(error)) break;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      error = this.#writePending(true);
    }
    this.#finish(error);
  }

  /** After the last write: says what is lost, stops retention, and lets the file go. */
  #finish(error: Error | undefined): void {
    if (error !== undefined && this.#buffer.size > 0) this.#reportLost(error);
    this.#dropForProblem();
    if (this.#lostCalls > 0) log.error(`${this.#lostCalls} calls recorded for ${this.path} while it could not serve as the database are lost`);
    this.#lostCalls = 0;
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined) return;
    open.retention?.stop();
    if (this.#ownsDatabase && open.db.open) {
      leaveWalWhenLast(open.db);
      open.db.close();
    }
  }

  /** Opens the database unless it is open, or was tried too recently; true when it is open. */
  #tryOpen(nowMs: number, force = false): boolean {
    if (this.#open !== undefined) return true;
    if (!force && nowMs < this.#nextOpenAt) return false;
    try {
      const db = this.#options.database ?? openAnalyticsDatabase(this.path, { busyTimeoutMs: this.#options.busyTimeoutMs ?? DEFAULTS.sqlite.busyTimeoutMs });
      this.#open = { db, writer: new SqliteWriter(db), retention: this.#scheduleRetention(db) };
    } catch (error) {
      const problem = error instanceof Error ? error : new Error(String(error));
      const busy = problem instanceof DatabaseBusyError || isBusyCode(problem);
      this.#nextOpenAt = busy ? 0 : nowMs + REOPEN_AFTER_MS;
      const changed = this.#problem?.message !== problem.message;
      this.#problem = problem;
      if (changed) this.#reportProblem(problem, busy);
      return false;
    }
    if (this.#problem !== undefined && log.over(this.#problemKey)) log.warn(`${this.path} can be written again; the calls kept meanwhile are written now`);
    this.#problem = undefined;
    return true;
  }

  #scheduleRetention(db: Database.Database): { stop(): void } | undefined {
    const days = this.#options.retentionDays;
    if (days === undefined) return undefined;
    return scheduleRetention(db, days, (error: unknown) => log.error(`retention on ${this.path} failed`, error), FIRST_RETENTION_AFTER_MS);
  }

  #reportProblem(problem: Error, busy: boolean): void {
    log.over(this.#problemKey);
    if (busy) {
      log.once(this.#problemKey, 'error', `${problem.message}; the application goes on: calls wait in memory (up to ANALYTICS_DB_BUFFER_ROWS rows) and are written once it is free`);
      return;
    }
    const lost = this.#buffer.calls();
    this.#buffer.clear();
    const already = lost > 0 ? `the ${lost} calls recorded for it so far are lost, and ` : '';
    log.once(this.#problemKey, 'error', `${problem.message}; the application goes on: ${already}calls are not written to SQLite until it is fixed (tried again every minute)`);
  }

  /** While the file cannot serve (anything but a lock): what waits is lost, counted in calls. */
  #dropForProblem(): void {
    if (this.#open !== undefined || this.#problem === undefined || this.#nextOpenAt === 0) return;
    this.#lostCalls += this.#buffer.calls();
    this.#buffer.clear();
  }

  #writePending(force = false): Error | undefined {
    if (this.#buffer.size === 0) return undefined;
    if (!this.#tryOpen(Date.now(), force)) {
      this.#dropForProblem();
      this.#buffer.bound();
      this.#reportLosses();
      return this.#problem;
    }
    const open = this.#open as OpenDatabase;
    try {
      open.writer.write(this.#buffer.peek());
      this.#buffer.clear();
      this.#busyInARow = 0;
      if (this.#failing && log.over(this.#failingKey)) log.warn(`writing to ${this.path} works again; nothing was lost`);
      this.#failing = false;
      return undefined;
    } catch (cause) {
      const error = new SqliteWriteError(this.path, this.#buffer.describe(), { cause });
      this.#buffer.bound();
      return error;
    } finally {
      this.#reportLosses();
    }
  }

  get #failingKey(): string {
    return `sqlite-failing:${this.path}`;
  }

  get #problemKey(): string {
    return `sqlite-problem:${this.path}`;
  }

  /** Says once, in calls, what is lost for good, and why. */
  #reportLost(error: Error): void {
    log.over(this.#failingKey);
    const reason = error instanceof SqliteWriteError ? error.reason : error.message;
    log.error(`${this.#buffer.describe()} could not be written to ${this.path} before it was closed and are lost: ${reason}`);
    this.#buffer.clear();
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

function isBusy(error: Error): boolean {
  if (error instanceof DatabaseBusyError) return true;
  return error instanceof SqliteWriteError && (error.sqliteCode?.startsWith('SQLITE_BUSY') === true || error.sqliteCode?.startsWith('SQLITE_LOCKED') === true);
}

function isBusyCode(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}
