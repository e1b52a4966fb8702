import type Database from 'better-sqlite3';
import { TABLES, type TableName } from '../store/schema.js';
import { EXPORT_FORMATS, tableFormat, type ExportFormat } from './tableFormats.js';

export { EXPORT_FORMATS } from './tableFormats.js';
export type { ExportFormat } from './tableFormats.js';

/** Options of {@link exportTable}. There is deliberately no filter: whole tables only, and no SQL from the caller. */
export interface ExportTableOptions {
  where?: never;
}

/** Text is handed to the stream in chunks of about this many characters. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Streams every row of `table` to `out` as CSV, JSON or NDJSON, reading with an iterator and waiting
 * for 'drain' whenever the stream asks, so a table of any size never sits in memory. `out` is not ended.
 *
 * - `csv` is what `sqlite3 -header -csv db "SELECT * FROM table;"` prints, byte for byte: a header
 *   line, LF line ends, values as SQLite renders them as text, the shell's quoting. Unlike the shell,
 *   an empty table still gets its header line.
 * - `json` is an array of one object per row, as `sqlite3 -json` prints it (an empty table gives `[]`).
 * - `ndjson` is one such object per line.
 *
 * The connection is busy until the promise settles: give it one nobody else uses meanwhile, such as
 * `openAnalyticsDatabase(path, { readonly: true })`. Reading in WAL mode does not block writers.
 * @throws {TypeError} for a table outside TABLES or an unknown format.
 */
export async function exportTable(
  db: Database.Database,
  table: TableName,
  format: ExportFormat,
  out: NodeJS.WritableStream,
  options: ExportTableOptions = {},
): Promise<{ rows: number }> {
  checkExportArguments(table, format, options);
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}') ORDER BY cid`).pluck().all() as string[];
  const select =
    format === 'csv'
      ? db.prepare(`SELECT ${columns.map((column) => `CAST("${column}" AS TEXT)`).join(', ')} FROM ${table}`)
      : db.prepare(`SELECT * FROM ${table}`).safeIntegers(true);
  const layout = tableFormat(format, columns);
  const sink = new ChunkedSink(out);
  let rows = 0;
  try {
    await sink.push(layout.head);
    for (const values of select.raw(true).iterate() as IterableIterator<unknown[]>) {
      const waiting = sink.push(layout.row(values, rows));
      rows++;
      if (waiting !== undefined) await waiting;
    }
    await sink.push(layout.tail(rows));
    await sink.flush();
  } finally {
    sink.release();
  }
  return { rows };
}

/**
 * Gathers text into chunks and writes them, handing back a promise only when the stream wants a
 * pause. A stream that fails or closes early rejects that promise, and the next push.
 */
class ChunkedSink {
  readonly #out: NodeJS.WritableStream;
  #pending = '';
  #failure: unknown;
  readonly #onError = (error: unknown): void => {
    this.#failure ??= error;
  };

  constructor(out: NodeJS.WritableStream) {
    this.#out = out;
    out.on('error', this.#onError);
  }

  push(text: string): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    this.#pending += text;
    return this.#pending.length >= CHUNK_CHARS ? this.flush() : undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#pending === '') return undefined;
    const chunk = this.#pending;
    this.#pending = '';
    return this.#out.write(chunk) ? undefined : this.#drained();
  }

  /** Stops listening to the stream. */
  release(): void {
    this.#out.off('error', this.#onError);
  }

  #drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: unknown) => {
        this.#out.off('drain', onDrain).off('error', onError).off('close', onClose);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onDrain = () => settle();
      const onError = (error: unknown) => settle(error);
      const onClose = () => settle(this.#failure ?? new Error('exportTable: the output stream closed before the export finished'));
      this.#out.on('drain', onDrain).on('error', onError).on('close', onClose);
    });
  }
}

function checkExportArguments(table: TableName, format: ExportFormat, options: ExportTableOptions): void {
  if (!(TABLES as readonly string[]).includes(table)) {
    throw new TypeError(`exportTable: unknown table ${JSON.stringify(table)}; the tables are ${TABLES.join(', ')}`);
  }
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new TypeError(`exportTable: unknown format ${JSON.stringify(format)}; the formats are ${EXPORT_FORMATS.join(', ')}`);
  }
  if (options.where !== undefined)
    throw new TypeError('exportTable: there is no "where" option; export the whole table and filter the output');
}
