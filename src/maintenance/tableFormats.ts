/** The formats {@link exportTable} writes. */
export const EXPORT_FORMATS = Object.freeze(['csv', 'json', 'ndjson'] as const);

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Text before the rows, for each row, and after them. */
export interface TableFormat {
  readonly head: string;
  row(values: readonly unknown[], index: number): string;
  tail(rows: number): string;
}

/** Bytes that make the sqlite3 shell quote a CSV field: controls, space, quotes, DEL and every non-ASCII character. */
const NEEDS_QUOTES = /[\u0000-\u0020"',\u007f-\uffff]/;

/**
 * A CSV field as `sqlite3 -csv` writes it: NULL empty, the empty string as `""`, other text quoted
 * (with quotes doubled) when it has a comma, a quote, a space, a control or a non-ASCII character.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return value === '' || NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * A value in JSON as `sqlite3 -json` means it: INTEGER (a bigint here) exactly, REAL as a number
 * (infinities as ±1e999, as the shell writes them), TEXT as a string, NULL as null, BLOB as its bytes read as text.
 */
export function jsonValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : value > 0 ? '1e999' : '-1e999';
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('utf8'));
  return JSON.stringify(String(value));
}

/** Formats for the rows of a table with these columns. CSV rows hold text (SQLite's own rendering), JSON rows typed values. */
export function tableFormat(format: ExportFormat, columns: readonly string[]): TableFormat {
  if (format === 'csv') {
    return {
      head: `${columns.map(csvField).join(',')}\n`,
      row: (values) => `${(values as (string | null)[]).map(csvField).join(',')}\n`,
      tail: () => '',
    };
  }
  const keys = columns.map((column) => `${JSON.stringify(column)}:`);
  const object = (values: readonly unknown[]) => `{${values.map((value, index) => keys[index] + jsonValue(value)).join(',')}}`;
  if (format === 'ndjson') return { head: '', row: (values) => `${object(values)}\n`, tail: () => '' };
  // The shell's layout: '[' before the first row, ',\n' between rows, ']\n' after the last.
  return {
    head: '',
    row: (values, index) => `${index === 0 ? '[' : ',\n'}${object(values)}`,
    tail: (rows) => (rows === 0 ? '[]\n' : ']\n'),
  };
}
