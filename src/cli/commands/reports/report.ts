import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { htmlReport } from '../../../htmlReport/htmlReport.js';
import { checkFileDestination, databaseFiles } from '../../../maintenance/destination.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';
import { FILE_MODE } from '../../../store/privateFiles.js';
import type { Command } from '../../command.js';
import { EXIT } from '../../cliErrors.js';
import { withDatabase } from '../../database.js';
import { formatBytes } from '../../output/format.js';
import { requireDatabase } from '../../reportSource.js';
import { AGENT_OPTION, reportScope, windowOptions } from './reportOptions.js';

/** `report`: the analytics as one self-contained HTML file, to open in a browser or attach to a mail. */
export const reportCommand: Command = {
  name: 'report',
  usage: 'report --out FILE [--window SPAN] [--org ID] [--agent NAME] [--user ID ...] [--include-ids] [--force] [options]',
  description:
    'Writes one self-contained HTML file (charts included, no network needed to open it): an\n' +
    'overview, usage and success rate per skill per day, error types, latency percentiles, the\n' +
    'leaderboards with rank changes, health with its components, adoption and recommendation\n' +
    'effectiveness. User and org ids are replaced by "user 1", "org 1" … unless --include-ids.\n' +
    'With --user, what that user would be recommended now (not logged). Only from the database.',
  options: {
    out: { type: 'string', value: 'FILE', description: 'the HTML file to write (required)' },
    ...windowOptions(DEFAULT_WINDOW),
    ...AGENT_OPTION,
    user: { type: 'string', value: 'ID', multiple: true, description: "list this user's recommendations (repeatable)" },
    'include-ids': { type: 'boolean', description: 'print user and org ids as they are, not as pseudonyms' },
    force: { type: 'boolean', description: 'replace FILE if it is a regular file (never a link, a device or the database)' },
  },
  examples: ['report --out report.html', 'report --out acme.html --window 30d --org acme --user alice --include-ids'],
  async run(context, args) {
    const out = resolve(context.cwd, args.required('out', 'FILE'));
    const scope = reportScope(args);
    const userIds = args.strings('user');
    if (userIds.some((user) => user.trim() === '')) throw args.usage('--user needs a user id');
    requireDatabase(context, args, 'report', 'it reads the per-user records and the recommendation log, which only the database keeps');
    checkFileDestination(out, { overwrite: args.flag('force'), protect: databaseFiles(context.databasePath()), allow: '--force' });
    const html = await withDatabase(context, { needsAggregates: true }, (db) =>
      htmlReport(db, { ...scope, userIds, includeIds: args.flag('include-ids') }),
    );
    writeWhole(out, html);
    const bytes = Buffer.byteLength(html);
    if (context.json) context.printJson({ out, bytes });
    else context.print(`Wrote the report to ${out} (${formatBytes(bytes)}).`);
    return EXIT.ok;
  },
};

/** Writes beside `path` first and renames into place, so a failure never leaves half a report under the name. */
function writeWhole(path: string, text: string): void {
  const partial = join(dirname(path), `.${basename(path)}.partial-${process.pid}`);
  try {
    writeFileSync(partial, text, { mode: FILE_MODE, flag: 'wx' });
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
