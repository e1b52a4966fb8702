import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type Database from 'better-sqlite3';
import { closestMatch } from '../../../config/closestMatch.js';
import { checkFileDestination, databaseFiles } from '../../../maintenance/destination.js';
import { exportTable } from '../../../maintenance/exportTable.js';
import { FILE_MODE } from '../../../store/privateFiles.js';
import { TABLES, type TableName } from '../../../store/schema.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../../maintenance/tableFormats.js';
import { listOr, type ParsedArgs } from '../../args.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { withDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';
import { formatCount } from '../../output/format.js';
import type { Progress } from '../../output/progress.js';

/** `export`: one table, whole, as CSV, JSON or NDJSON, to a file or stdout. */
export const exportCommand: Command = {
  name: 'export',
  usage: 'export --table TABLE [--format csv|json|ndjson] [--out FILE] [options]',
  description:
    `Streams every row of one table, as \`sqlite3 -header -csv\` or \`sqlite3 -json\` would print it.\n` +
    `The tables: ${TABLES.slice(0, 5).join(', ')},\n${TABLES.slice(5).join(', ')}.\n` +
    'With --json and no --out, the default format is json, so stdout holds one JSON document.\n' +
    'The file is written under a temporary name and renamed when complete, with mode 600.',
  options: {
    table: { type: 'string', value: 'TABLE', description: 'the table to export (required)' },
    format: { type: 'string', value: 'FORMAT', description: 'csv, json or ndjson', default: 'csv; json with --json and no --out' },
    out: { type: 'string', value: 'FILE', description: 'the file to write', default: 'stdout' },
    force: { type: 'boolean', description: 'replace FILE if it is a regular file (never a link, a device or the database)' },
  },
  examples: ['export --table skill_usage --format csv --out usage.csv', 'export --table skill_metrics --format ndjson | head'],
  async run(context, args) {
    const table = tableArgument(args);
    const out = args.string('out');
    const format = args.choice<ExportFormat>('format', EXPORT_FORMATS, context.json && out === undefined ? 'json' : 'csv');
    if (out === undefined && context.json && format !== 'json')
      throw args.usage('--json puts one JSON document on stdout: use --format json, or --out FILE');
    const path = out === undefined ? undefined : resolve(context.cwd, out);
    if (path !== undefined)
      checkFileDestination(path, { overwrite: args.flag('force'), protect: databaseFiles(context.databasePath()), allow: '--force' });
    const rows = await withDatabase(context, {}, (db) => {
      const progress = context.progress(`export ${table}`);
      const total = countRows(db, table) + (format === 'csv' ? 1 : 0);
      const work =
        path === undefined ? toStdout(context, db, table, format, progress, total) : toFile(db, table, format, path, progress, total);
      return work.finally(() => progress.finish());
    });
    if (path === undefined) context.debug(`exported ${rows} rows of ${table}`);
    else if (context.json) context.printJson({ table, format, rows, out: path });
    else context.print(`Exported ${formatCount(rows)} rows of ${table} to ${path} (${format}).`);
    return EXIT.ok;
  },
};

function tableArgument(args: ParsedArgs): TableName {
  const table = args.required('table', 'TABLE');
  if ((TABLES as readonly string[]).includes(table)) return table as TableName;
  const near = closestMatch(table, TABLES);
  throw args.usage(
    `unknown table ${JSON.stringify(table)}${near === undefined ? '' : `: did you mean ${near}?`}; the tables are ${listOr(TABLES)}`,
  );
}

function countRows(db: Database.Database, table: TableName): number {
  return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

/** Passes the text on, counting lines (one per row in every format) for the progress bar. */
function lineCounter(progress: Progress, total: number): Transform {
  let lines = 0;
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString();
      for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
      progress.update(Math.min(lines, total), total);
      callback(null, chunk);
    },
  });
}

async function toStdout(
  context: CliContext,
  db: Database.Database,
  table: TableName,
  format: ExportFormat,
  progress: Progress,
  total: number,
): Promise<number> {
  const counter = lineCounter(progress, total);
  counter.pipe(context.stdout as Writable, { end: false });
  const { rows } = await exportTable(db, table, format, counter);
  counter.end();
  await finished(counter);
  return rows;
}

/** Writes to a temporary file beside `path`, renamed into place only once the export is complete. */
async function toFile(
  db: Database.Database,
  table: TableName,
  format: ExportFormat,
  path: string,
  progress: Progress,
  total: number,
): Promise<number> {
  const partial = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  const counter = lineCounter(progress, total);
  const written = pipeline(counter, createWriteStream(partial, { mode: FILE_MODE }));
  written.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
  try {
    const { rows } = await exportTable(db, table, format, counter);
    counter.end();
    await written;
    renameSync(partial, path);
    return rows;
  } catch (error) {
    counter.destroy();
    await written.catch(() => undefined);
    rmSync(partial, { force: true });
    throw error;
  }
}
