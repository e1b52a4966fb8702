import { failed, type ExportResult } from './exportResult.js';
import { callRatingsOf, usageRowsOf, type SplitExport } from './mapping.js';
import { SeriesPacker } from './SeriesBatch.js';
import type { SinkExport, SqliteSink } from './SqliteSink.js';

/**
 * Where the SQLite exporter's exports go: its writer thread (WriterThread), or, where a thread
 * cannot have the database, a {@link SqliteSink} in the application's thread (InThreadTarget).
 * Both map the exact record with the same code and write through the same sink.
 */
export interface ExportTarget {
  /** Resolves once the database is open; rejects with the problem when it could not be opened at start. */
  readonly ready: Promise<void>;
  /** Rows waiting in the retry buffer (for the writer thread: as it last said). */
  readonly pendingRows: number;
  /** Writes one export; resolves to its result. */
  export(split: SplitExport): Promise<ExportResult>;
  /** Writes one export, and everything handed over before it, before returning. */
  exportNow(split: SplitExport): ExportResult;
  /** The last write as the process ends, synchronous; then the database is closed. */
  closeNow(split: SplitExport | undefined): void;
  /** Tries once more to write what waits. */
  retry(): Promise<void>;
  /** Writes what is left (retrying a busy lock briefly) and closes the database. */
  close(): Promise<void>;
}

/** A {@link SqliteSink} in this thread: for a database opened by the application, or ':memory:'. */
export class InThreadTarget implements ExportTarget {
  readonly ready: Promise<void>;
  readonly #sink: SqliteSink;
  #packer: SeriesPacker | undefined;

  constructor(sink: SqliteSink) {
    this.#sink = sink;
    const problem = sink.startProblem;
    this.ready = problem === undefined ? Promise.resolve() : Promise.reject(problem);
    this.ready.catch(() => undefined); // reported through our logger; a rejection nobody awaits is no crash
  }

  get pendingRows(): number {
    return this.#sink.pendingRows;
  }

  async export(split: SplitExport): Promise<ExportResult> {
    return this.exportNow(split);
  }

  exportNow(split: SplitExport): ExportResult {
    try {
      return this.#sink.export(this.#rows(split));
    } catch (error) {
      return failed(error);
    }
  }

  closeNow(split: SplitExport | undefined): void {
    let rows: SinkExport | undefined;
    try {
      rows = split === undefined ? undefined : this.#rows(split);
    } catch {
      rows = undefined; // as an export of it would have failed: what waits is still written
    }
    this.#sink.closeNow(rows);
  }

  async retry(): Promise<void> {
    this.#sink.retry();
  }

  close(): Promise<void> {
    return this.#sink.close();
  }

  #rows({ drained, points, skipped }: SplitExport): SinkExport {
    this.#packer ??= new SeriesPacker();
    return { usage: usageRowsOf(drained, this.#packer), points, skipped, callRatings: callRatingsOf(drained) };
  }
}
