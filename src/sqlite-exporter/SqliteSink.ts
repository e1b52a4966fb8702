import type Database from 'better-sqlite3';
import { DatabaseBusyError, SqliteWriteError } from '../core/errors.js';
import { isBusySqliteCode } from '../core/sqliteCode.js';
import { log } from '../core/log.js';
import { FAILED, SUCCESS, shutDown, type ExportResult } from './exportResult.js';
import type { SkippedMetric } from './mapping.js';
import { leaveWalWhenLast, openAnalyticsDatabase } from '../store/openDatabase.js';
import { scheduleRetention } from '../store/retention.js';
import { RetryBuffer, type BufferLosses } from './RetryBuffer.js';
import type { MappedExport } from './rows.js';
import { SqliteWriter } from './SqliteWriter.js';
import { isBusy, sqliteCode } from '../core/sqliteCode.js';
import { reclaimWal } from '../store/walBound.js';

/** Busy exports in a row before a lock held by another process is reported as a failure. */
const BUSY_EXPORTS_BEFORE_REPORT = 3;
/** Waits between the last write attempts at shutdown, while another process holds the lock. */
const SHUTDOWN_RETRIES_MS = [50, 100, 200, 400, 800];
/** How long a database problem other than a lock waits before the file is tried again. */
const REOPEN_AFTER_MS = 60_000;
/** How long after start retention first runs: it can wait, the application's start cannot. */
const FIRST_RETENTION_AFTER_MS = 60_000;

/** Settings of {@link SqliteSink}, resolved: see SqliteMetricExporterOptions. */
export interface SqliteSinkOptions {
  readonly path: string;
  /** An already open database instead of opening `path`; it is not closed. */
  readonly database?: Database.Database;
  readonly bufferRows: number;
  readonly busyTimeoutMs: number;
  readonly retentionDays: number | undefined;
}

/** What one export gives the sink: its rows, and the metrics that could not be mapped. */
export interface SinkExport extends MappedExport {
  readonly skipped: readonly SkippedMetric[];
}

/** An open database and what writes to it. */
interface OpenDatabase {
  readonly db: Database.Database;
  readonly writer: SqliteWriter;
  readonly retention: { stop(): void } | undefined;
}

/**
 * Where the rows of the SQLite exporter go, synchronously: the bounded retry buffer, the policy that
 * opens the file (a lock is tried again at each export, any other problem once a minute), the
 * writer with its one transaction per export, retention, and every message about them. The same
 * code runs in the exporter's writer thread and, for a database the application opened itself or
 * ':memory:', in the application's thread.
 *
 * Never throws for the database: a file that cannot serve is said once through our logger and
 * named by {@link SqliteSink.startProblem}; calls recorded for it are said to be lost, in calls.
 */
export class SqliteSink {
  readonly path: string;
  /** Why the database could not be opened when the sink was made; undefined when it was. */
  readonly startProblem: Error | undefined;
  readonly #options: SqliteSinkOptions;
  readonly #buffer: RetryBuffer;
  readonly #reported: BufferLosses = { foldedRows: 0, droppedPoints: 0, droppedRatings: 0 };
  #open: OpenDatabase | undefined;
  /** Why the database is not open, while it is not. */
  #problem: Error | undefined;
  #nextOpenAt = 0;
  /** Calls recorded while the file could not serve, not yet said to be lost. */
  #lostCalls = 0;
  #failing = false;
  #busyInARow = 0;
  #closed: Promise<void> | undefined;

  constructor(options: SqliteSinkOptions) {
    this.#options = options;
    this.path = options.path;
    this.#buffer = new RetryBuffer(options.bufferRows);
    this.#tryOpen(Date.now());
    this.startProblem = this.#problem;
  }

  /** Rows waiting to be written. */
  get pendingRows(): number {
    return this.#buffer.size;
  }

  /** Calls waiting to be written. */
  get pendingCalls(): number {
    return this.#buffer.calls();
  }

  /** Buffers the rows of one export and writes everything waiting, in one transaction. */
  export(rows: SinkExport): ExportResult {
    if (this.#closed !== undefined) return shutDown(this.path);
    this.#buffer.add(rows);
    this.#reportSkipped(rows.skipped);
    const error = this.#writePending();
    if (error === undefined) return { code: SUCCESS };
    if (!(error instanceof SqliteWriteError)) return { code: FAILED, error };
    // Several processes share one file: a lock held for a moment is normal, the rows simply wait.
    if (isBusyProblem(error) && ++this.#busyInARow < BUSY_EXPORTS_BEFORE_REPORT) {
      log.debug(`${this.path} is busy; ${this.#buffer.describe()} wait for the next export`);
      return { code: SUCCESS };
    }
    this.#failing = true;
    log.once(this.#failingKey, 'error', error.message);
    return { code: FAILED, error };
  }

  /**
   * The way out of a process that is ending: writes `rows` and everything waiting once (waiting at
   * most the busy timeout for a lock), says in calls what could not be written and is lost, and
   * closes the database it opened.
   */
  closeNow(rows: SinkExport | undefined): void {
    if (this.#closed !== undefined) return;
    if (rows !== undefined) this.export(rows);
    this.#closed = Promise.resolve();
    this.#finish(this.#writePending());
  }

  /** Tries once more to write what is waiting. */
  retry(): void {
    this.#writePending();
  }

  /** Writes what is left (retrying a busy lock briefly), stops retention and closes the database it opened. */
  close(): Promise<void> {
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    let error = this.#writePending();
    for (const waitMs of SHUTDOWN_RETRIES_MS) {
      if (error === undefined || !isBusyProblem(error)) break;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      error = this.#writePending(true);
    }
    this.#finish(error);
  }

  /** After the last write: says what is lost, stops retention, and lets the file go. */
  #finish(error: Error | undefined): void {
    if (error !== undefined && this.#buffer.size > 0) this.#reportLost(error);
    this.#dropForProblem();
    if (this.#lostCalls > 0)
      log.error(`${this.#lostCalls} calls recorded for ${this.path} while it could not serve as the database are lost`);
    this.#lostCalls = 0;
    const open = this.#open;
    this.#open = undefined;
    if (open === undefined) return;
    open.retention?.stop();
    if (this.#options.database === undefined && open.db.open) {
      leaveWalWhenLast(open.db);
      open.db.close();
    }
  }

  /** Opens the database unless it is open, or was tried too recently; true when it is open. */
  #tryOpen(nowMs: number, force = false): boolean {
    if (this.#open !== undefined) return true;
    if (!force && nowMs < this.#nextOpenAt) return false;
    try {
      const db = this.#options.database ?? openAnalyticsDatabase(this.path, { busyTimeoutMs: this.#options.busyTimeoutMs });
      this.#open = { db, writer: new SqliteWriter(db), retention: this.#scheduleRetention(db) };
    } catch (error) {
      const problem = error instanceof Error ? error : new Error(String(error));
      const busy = isBusyProblem(problem);
      this.#nextOpenAt = busy ? 0 : nowMs + REOPEN_AFTER_MS;
      const changed = this.#problem?.message !== problem.message;
      this.#problem = problem;
      if (changed) this.#reportProblem(problem, busy);
      return false;
    }
    if (this.#problem !== undefined && log.over(this.#problemKey))
      log.warn(`${this.path} can be written again; the calls kept meanwhile are written now`);
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
      log.once(
        this.#problemKey,
        'error',
        `${problem.message}; the application goes on: calls wait in memory (up to ANALYTICS_DB_BUFFER_ROWS rows) and are written once it is free`,
      );
      return;
    }
    const lost = this.#buffer.calls();
    this.#buffer.clear();
    const already = lost > 0 ? `the ${lost} calls recorded for it so far are lost, and ` : '';
    log.once(
      this.#problemKey,
      'error',
      `${problem.message}; the application goes on: ${already}calls are not written to SQLite until it is fixed (tried again every minute)`,
    );
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
      // A full disk: cut the WAL back, so that space freed meanwhile serves the next try.
      if (sqliteCode(cause) === 'SQLITE_FULL') reclaimWal(open.db);
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
      log.once(
        `sqlite-skipped:${this.path}:${name}`,
        'warn',
        `metric ${name} is not stored in ${this.path} as it is: ${reason}; everything else is`,
      );
    }
  }

  #reportLosses(): void {
    const { foldedRows, droppedPoints, droppedRatings } = this.#buffer.losses;
    const reported = this.#reported;
    if (foldedRows === reported.foldedRows && droppedPoints === reported.droppedPoints && droppedRatings === reported.droppedRatings)
      return;
    Object.assign(reported, this.#buffer.losses);
    const ratings = droppedRatings === 0 ? '' : `, and ${droppedRatings} ratings of calls were dropped`;
    log.warn(
      `the SQLite retry buffer is full (ANALYTICS_DB_BUFFER_ROWS): ${foldedRows} usage rows were folded into ` +
        `per-skill overflow rows (counts kept, user split lost) and ${droppedPoints} generic metric points were dropped${ratings} so far.`,
    );
  }
}

/** A failed write or open that another connection's lock explains: the rows wait, the open is tried again. */
function isBusyProblem(error: Error): boolean {
  if (error instanceof DatabaseBusyError) return true;
  return error instanceof SqliteWriteError ? isBusySqliteCode(error.sqliteCode) : isBusy(error);
}
