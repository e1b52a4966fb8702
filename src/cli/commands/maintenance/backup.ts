import { resolve } from 'node:path';
import { DatabaseBusyError, DatabaseFileError } from '../../../core/errors.js';
import { backupDatabase, restoreDatabase } from '../../../maintenance/backup.js';
import type { Command } from '../../command.js';
import { CliFailure, EXIT, namingFlag } from '../../cliErrors.js';
import { formatBytes, formatCount } from '../../output/format.js';

/** `backup`: a consistent copy of the database, taken while the application goes on writing. */
export const backupCommand: Command = {
  name: 'backup',
  usage: 'backup --out FILE [--force] [options]',
  description:
    "Copies the database with SQLite's online backup API: a consistent snapshot, taken while the\n" +
    'application goes on writing. The copy has mode 600. Restore it with `restore`.',
  options: {
    out: { type: 'string', value: 'FILE', description: 'the backup file to write (required)' },
    force: { type: 'boolean', description: 'replace FILE if it is a regular file (never a link, a device or the database)' },
  },
  examples: ['backup --out ~/backups/analytics-2026-05-01.db'],
  async run(context, args) {
    const out = resolve(context.cwd, args.required('out', 'FILE'));
    const source = context.databasePath();
    const progress = context.progress('backup');
    let result: Awaited<ReturnType<typeof backupDatabase>>;
    try {
      result = await backupDatabase(source, out, {
        overwrite: args.flag('force'),
        onProgress: ({ totalPages, remainingPages }) => progress.update(totalPages - remainingPages, totalPages),
      });
    } catch (error) {
      throw namingFlag(error, '--force');
    } finally {
      progress.finish();
    }
    if (context.json) context.printJson({ source, out, pages: result.pages, bytes: result.bytes });
    else context.print(`Backed up ${source} to ${out}: ${formatCount(result.pages)} pages, ${formatBytes(result.bytes)}.`);
    return EXIT.ok;
  },
};

/** `restore`: replaces the database with a backup, keeping the current one aside. */
export const restoreCommand: Command = {
  name: 'restore',
  usage: 'restore --from BACKUP [--force] [options]   or   restore BACKUP [TARGET]',
  description:
    'Checks the backup (an intact toolweaver-analytics database this version can read), keeps the\n' +
    'current database as <database>.before-restore-<time>, then copies the backup in. The target is\n' +
    '--db (or the configured database), or TARGET. Stop the application first: a database that other\n' +
    'processes have open is refused unless --force (then restart the application afterwards).',
  options: {
    from: { type: 'string', value: 'BACKUP', description: 'the backup file to restore (required, or as the first argument)' },
    force: { type: 'boolean', description: 'restore even while other processes have the database open' },
  },
  positionals: true,
  examples: ['restore --from ~/backups/analytics-2026-05-01.db', 'restore analytics-backup.db ~/.toolweaver/analytics.db'],
  async run(context, args) {
    const [first, second, ...extra] = args.positionals;
    if (extra.length > 0) throw args.usage(`unexpected argument ${JSON.stringify(extra[0])}`);
    const fromOption = args.string('from');
    if (fromOption !== undefined && first !== undefined)
      throw args.usage('give the backup either as --from BACKUP or as an argument, not both');
    const from = fromOption ?? first;
    if (from === undefined) throw args.usage('restore needs --from BACKUP');
    if (second !== undefined && context.dbGiven) throw args.usage('give the target either as --db PATH or as an argument, not both');
    const backup = resolve(context.cwd, from);
    const target = second === undefined ? context.databasePath() : resolve(context.cwd, second);
    const force = args.flag('force');
    const { safetyCopy } = await restoreDatabase(backup, target, { force }).catch((error: unknown) => {
      // The library's advice for a missing or empty file is about the database (pass --db); here it is the backup's.
      if (error instanceof DatabaseFileError && error.path === backup) throw new CliFailure(error.message, { cause: error });
      if (force || !(error instanceof DatabaseBusyError)) throw error;
      throw new CliFailure(`${error.message}, or pass --force to restore anyway, then restart them`, { cause: error });
    });
    if (context.json) context.printJson({ from: backup, target, safetyCopy });
    else
      context.print(
        `Restored ${backup} into ${target}${safetyCopy === undefined ? '.' : `; the previous database is kept as ${safetyCopy}.`}`,
      );
    return EXIT.ok;
  },
};
