import { applyRetention } from '../../../store/retention.js';
import { vacuum, type VacuumResult } from '../../../maintenance/integrity.js';
import type { Command } from '../../command.js';
import { withDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';
import { formatBytes, formatCount } from '../../output/format.js';
import { renderTable } from '../../output/table.js';

/** `prune`: one retention run now, optionally followed by a vacuum. */
export const pruneCommand: Command = {
  name: 'prune',
  usage: 'prune [--days N] [--vacuum] [options]',
  description:
    'Runs retention now, as the application does at start and once a day: raw skill_usage rows of\n' +
    'days before the cutoff are rolled up into skill_usage_daily, then they and old metric points,\n' +
    'recommendations, cache entries and hourly aggregates are deleted. --vacuum then shrinks the file.',
  options: {
    days: { type: 'string', value: 'N', description: 'days of data to keep, 1 or more', default: 'ANALYTICS_DB_RETENTION_DAYS, else 365' },
    vacuum: { type: 'boolean', description: 'rebuild the file afterwards so it shrinks (needs free space about its size)' },
  },
  examples: ['prune --days 90 --vacuum'],
  async run(context, args) {
    const retentionDays = args.string('days') === undefined ? context.config().sqlite.retentionDays : args.integer('days', 0, 1);
    const { result, vacuumed } = await withDatabase(context, { write: true }, (db) => {
      const result = applyRetention(db, { retentionDays });
      const vacuumed: VacuumResult | undefined = args.flag('vacuum') ? vacuum(db) : undefined;
      return { result, vacuumed };
    });
    if (context.json) {
      context.printJson({ retentionDays, ...result, vacuum: vacuumed });
      return EXIT.ok;
    }
    context.print(`Kept ${retentionDays} days: rows before ${result.cutoff} are gone.`);
    context.print(`Rolled ${formatCount(result.rolledUpRows)} raw rows up into ${formatCount(result.dailyRows)} daily rows.`);
    const rows = Object.entries(result.deleted).map(([table, count]) => [table, formatCount(count)]);
    context.print(renderTable([{ header: 'table' }, { header: 'deleted', numeric: true }], rows, context.painter));
    if (vacuumed !== undefined) context.print(`Vacuumed: ${formatBytes(vacuumed.bytesBefore)} -> ${formatBytes(vacuumed.bytesAfter)}.`);
    return EXIT.ok;
  },
};
