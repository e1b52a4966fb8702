import type { MessagePort } from 'node:worker_threads';
import type { LogSeverity } from '../core/log.js';
import type { CallRating } from '../instruments/callRatings.js';
import type { SkippedMetric } from './mapping.js';
import type { GenericPoint } from './rows.js';
import type { SeriesBatch } from './SeriesBatch.js';
import type { SqliteSinkOptions } from './SqliteSink.js';
import type { WireError } from './wireError.js';

/** What the SQLite writer thread starts with (its workerData). */
export interface WriterData {
  readonly options: Omit<SqliteSinkOptions, 'database'>;
  /** Both ways: requests in, answers and log messages out. */
  readonly port: MessagePort;
  /** Shared with the application's thread: see {@link DONE} and {@link ENDED}. */
  readonly progress: Int32Array;
}

/** Slot of `progress`: the id of the last request the writer thread answered, for a synchronous wait. */
export const DONE = 0;
/** Slot of `progress`: 1 once the writer thread has ended, however it ended. */
export const ENDED = 1;

/** The end of an export: its generic points and ratings of calls, after the series batches that came before it. */
interface ExportEnd {
  readonly id: number;
  readonly points: GenericPoint[];
  readonly skipped: SkippedMetric[];
  readonly callRatings: CallRating[];
}

/**
 * What the application's thread sends, in order. An export is its `series` batches, then `export`
 * (or `final`, the last write as the process ends); `retry` writes what waits; `close` shuts down.
 */
export type ToWriter =
  | { readonly type: 'series'; readonly batch: SeriesBatch }
  | ({ readonly type: 'export' } & ExportEnd)
  | ({ readonly type: 'final' } & ExportEnd)
  | { readonly type: 'retry'; readonly id: number }
  | { readonly type: 'close'; readonly id: number };

/** What the writer thread sends back: whether the file opened, our log messages, and one `done` per request. */
export type FromWriter =
  | { readonly type: 'opened'; readonly problem: WireError | undefined }
  | { readonly type: 'log'; readonly severity: LogSeverity; readonly message: string; readonly cause: WireError | undefined }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly code: number;
      readonly error: WireError | undefined;
      /** What waits in the writer thread's retry buffer now. */
      readonly pendingRows: number;
      readonly pendingCalls: number;
    };
