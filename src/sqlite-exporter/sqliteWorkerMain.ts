// What the SQLite exporter's writer thread runs (loaded by sqliteWorker.js): everything the
// exporter does with the database (open, validate, migrate, map the exact record to rows, write,
// keep the aggregates, retention, retries) happens here, off the application's event loop. See
// WriterThread for the other side.
import { workerData } from 'node:worker_threads';
import { logTo } from '../core/log.js';
import { SUCCESS, type ExportResult } from './exportResult.js';
import { SeriesRows } from './SeriesRows.js';
import { SqliteSink, type SinkExport } from './SqliteSink.js';
import { DONE, type FromWriter, type ToWriter, type WriterData } from './threadMessages.js';
import { toWire } from './wireError.js';

const { options, port, progress } = workerData as WriterData;
const post = (message: FromWriter): void => port.postMessage(message);

logTo((severity, message, cause) => post({ type: 'log', severity, message, cause: cause === undefined ? undefined : toWire(cause) }));

const sink = new SqliteSink(options);
post({ type: 'opened', problem: sink.startProblem === undefined ? undefined : toWire(sink.startProblem) });

/** The rows of the export whose series are arriving. */
let rows = new SeriesRows();
let closing: Promise<void> | undefined;

port.on('message', (message: ToWriter) => {
  switch (message.type) {
    case 'series':
      rows.add(message.batch);
      return;
    case 'export':
      done(message.id, sink.export(take(message)));
      return;
    case 'retry':
      sink.retry();
      done(message.id);
      return;
    case 'final': {
      const last = take(message);
      // Shutting down already: once that is over, the sink answers that it is shut down, and the
      // application's thread says what these calls were.
      if (closing !== undefined) void closing.then(() => end(message.id, sink.export(last)));
      else {
        sink.closeNow(last);
        end(message.id);
      }
      return;
    }
    case 'close':
      closing ??= sink.close();
      void closing.then(() => end(message.id));
  }
});

/** The rows of the export that ends with `end`, and a new start for the next one. */
function take(end: { points: SinkExport['points']; skipped: SinkExport['skipped']; callRatings: SinkExport['callRatings'] }): SinkExport {
  const usage = rows.rows();
  rows = new SeriesRows();
  return { usage, points: end.points, skipped: end.skipped, callRatings: end.callRatings };
}

function done(id: number, result: ExportResult = { code: SUCCESS }): void {
  const error = result.error === undefined ? undefined : toWire(result.error);
  post({ type: 'done', id, code: result.code, error, pendingRows: sink.pendingRows, pendingCalls: sink.pendingCalls });
  Atomics.store(progress, DONE, id);
  Atomics.notify(progress, DONE);
}

/**
 * Answers a last request; nothing else comes, so the thread ends once its port is closed. Closed
 * after the answers of this turn: a `final` that came during a `close` is answered right after it.
 */
function end(id: number, result?: ExportResult): void {
  done(id, result);
  setImmediate(() => port.close());
}
