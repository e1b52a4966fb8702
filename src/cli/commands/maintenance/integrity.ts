import type Database from 'better-sqlite3';
import { DatabaseFileError } from '../../../core/errors.js';
import { checkAggregates, type AggregateCheck } from '../../../store/aggregates.js';
import { checkIntegrity, type IntegrityReport } from '../../../maintenance/integrity.js';
import { SCHEMA_VERSION } from '../../../store/schema.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { openDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';

/** What `integrity` found: SQLite's check, then (on a sound file of the current schema) the aggregates' check. */
interface IntegrityResult extends IntegrityReport {
  /** Undefined when not checked: the file is damaged, or older than the aggregates. */
  readonly aggregates: AggregateCheck | undefined;
}

/** `integrity`: SQLite's full check of every page, index and constraint, and of the write-time aggregates. */
export const integrityCommand: Command = {
  name: 'integrity',
  usage: 'integrity [options]',
  description:
    'Runs PRAGMA integrity_check on the database, read-only: every page, b-tree, index entry and\n' +
    'constraint. On a sound file it then checks that the write-time aggregates the reports read\n' +
    '(skill_usage_hourly, skill_user_daily, user_daily, skill_user_first) add up to the skill_usage\n' +
    'rows they summarise. Slow on a large file (it reads all of it). Exits with 1 when it finds a problem.',
  options: {},
  examples: ['integrity --db ./copy-of-analytics.db'],
  async run(context) {
    const path = context.databasePath();
    const result = check(context);
    const ok = result.ok && (result.aggregates?.ok ?? true);
    if (context.json)
      context.printJson({ path, ok, integrity: { ok: result.ok, problems: result.problems }, aggregates: result.aggregates });
    else printResult(context, path, result);
    return ok ? EXIT.ok : EXIT.failure;
  },
};

function printResult(context: CliContext, path: string, result: IntegrityResult): void {
  const { painter } = context;
  if (!result.ok) {
    context.print(`${painter.paint('damaged', 'red')}: ${path} failed PRAGMA integrity_check:`);
    for (const problem of result.problems) context.print(`  ${problem}`);
    context.print(
      `Restore a backup with \`toolweaver-analytics restore BACKUP ${path}\`, or save what can be read with \`sqlite3 ${path} .recover | sqlite3 recovered.db\`.`,
    );
    return;
  }
  context.print(`${painter.paint('ok', 'green')}: ${path} passed PRAGMA integrity_check.`);
  if (result.aggregates === undefined) return;
  if (result.aggregates.ok) {
    context.print(`${painter.paint('ok', 'green')}: the aggregates agree with the skill_usage rows.`);
    return;
  }
  context.print(
    `${painter.paint('mismatch', 'red')}: the aggregates disagree with the skill_usage rows (was skill_usage edited by hand?):`,
  );
  for (const problem of result.aggregates.problems) context.print(`  ${problem}`);
}

/** The checks' report; a file too damaged to open reports that as its problem. */
function check(context: CliContext): IntegrityResult {
  let db: Database.Database;
  try {
    db = openDatabase(context);
  } catch (error) {
    if (error instanceof DatabaseFileError && (error.reason === 'corrupt' || error.reason === 'not-a-database')) {
      return { ok: false, problems: [error.detail ?? error.reason], aggregates: undefined };
    }
    throw error;
  }
  try {
    const report = checkIntegrity(db);
    const current = (db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION;
    return { ...report, aggregates: report.ok && current ? checkAggregates(db) : undefined };
  } finally {
    db.close();
  }
}
