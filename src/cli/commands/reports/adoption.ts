import { ADOPTION_DEFAULTS, adoptionReport } from '../../../reports/adoption.js';
import type { Command } from '../../command.js';
import { withDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';
import { requireDatabase } from '../../reportSource.js';
import { formatCount, formatNumber, formatPercent } from '../../output/format.js';
import { reportScope, scopeTitle, windowOptions, windowView } from './reportOptions.js';
import { renderTable } from '../../output/table.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';

/** `adoption`: who uses what: users per skill, org adoption, skills per user, engaged users. */
export const adoptionCommand: Command = {
  name: 'adoption',
  usage: 'adoption [--window SPAN] [--org ID] [--engaged-days N] [options]',
  description:
    'How far skills have spread over the window: distinct users and orgs per skill with the share of\n' +
    'active orgs using it, how many skills each user used, and engaged users (active on at least\n' +
    '--engaged-days distinct days). Users are the identified ones (withContext with a userId). The\n' +
    'per-user records have no agent, so there is no --agent here. Only from the database: a Prometheus\n' +
    'store (--query-url, ANALYTICS_QUERY_URL) keeps no per-user records.',
  options: {
    ...windowOptions(DEFAULT_WINDOW),
    'engaged-days': {
      type: 'string',
      value: 'N',
      description: 'active days that make a user engaged',
      default: String(ADOPTION_DEFAULTS.engagedDays),
    },
  },
  examples: ['adoption --window 30d --engaged-days 5'],
  async run(context, args) {
    const scope = reportScope(args);
    const engagedDays = args.integer('engaged-days', ADOPTION_DEFAULTS.engagedDays, 1);
    requireDatabase(context, args, 'adoption', 'it reads per-user records (first uses, active days), which only the database keeps');
    const now = Date.now();
    const report = await withDatabase(context, { needsAggregates: true }, (db) => adoptionReport(db, { ...scope, engagedDays, now }));
    const window = windowView(scope, DEFAULT_WINDOW, now);
    if (context.json) {
      context.printJson({ window, orgId: scope.orgId, engagedDays, ...report });
      return EXIT.ok;
    }
    const { painter } = context;
    context.print(`${painter.paint('Adoption', 'bold')}, ${scopeTitle(window, scope.orgId)}`);
    context.print(
      `${formatCount(report.users)} active users in ${formatCount(report.totalOrgs)} orgs; ${formatCount(report.engagedUsers)} engaged ` +
        `(active on ${engagedDays}+ days); ${formatNumber(report.averageActiveDays, 1)} active days per user on average.\n`,
    );
    const skillRows = report.skills.map((skill) => [
      skill.skillId,
      formatCount(skill.users),
      formatCount(skill.orgs),
      formatPercent(skill.orgAdoptionRate),
    ]);
    context.print(
      renderTable(
        [{ header: 'skill' }, { header: 'users', numeric: true }, { header: 'orgs', numeric: true }, { header: 'of orgs', numeric: true }],
        skillRows,
        painter,
      ),
    );
    context.print(`\n${painter.paint('Skills per user', 'bold')}`);
    const spread = report.skillsPerUser.map((row) => [formatCount(row.skills), formatCount(row.users)]);
    context.print(
      renderTable(
        [
          { header: 'skills', numeric: true },
          { header: 'users', numeric: true },
        ],
        spread,
        painter,
      ),
    );
    return EXIT.ok;
  },
};
