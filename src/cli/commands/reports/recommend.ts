import { RECOMMEND_DEFAULTS, recommend, type Recommendation } from '../../../reports/recommendations.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { withDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';
import { requireDatabase } from '../../reportSource.js';
import { formatNumber } from '../../output/format.js';
import { reportScope, windowOptions } from './reportOptions.js';
import { renderTable } from '../../output/table.js';

/** `recommend`: skills a user has not used yet, with the reason, each logged in recommendation_log. */
export const recommendCommand: Command = {
  name: 'recommend',
  usage: 'recommend --user ID [--limit N] [options]',
  description:
    'Recommends skills the user has never used: from co-usage ("users who used X also used Y") over\n' +
    'the window, filled with trending skills when co-usage has too few. Scores run from 0 to 1;\n' +
    'co-usage scores are above 0.5, trending ones at most 0.5. Each recommendation is logged in\n' +
    'recommendation_log (its id is shown), so this command opens the database for writing. Co-usage\n' +
    'comes from the per-user records, which have no agent, so there is no --agent here. Only from the\n' +
    'database: a Prometheus store (--query-url, ANALYTICS_QUERY_URL) keeps no per-user records.',
  options: {
    user: { type: 'string', value: 'ID', description: 'the user to recommend to (required)' },
    limit: { type: 'string', value: 'N', description: 'at most this many skills', default: String(RECOMMEND_DEFAULTS.limit) },
    ...windowOptions(RECOMMEND_DEFAULTS.window),
  },
  examples: ['recommend --user user_042', 'recommend --user alice --org acme --limit 3 --json'],
  async run(context, args) {
    const userId = args.required('user', 'ID');
    const limit = args.integer('limit', RECOMMEND_DEFAULTS.limit, 1, 1000);
    const scope = reportScope(args);
    requireDatabase(context, args, 'recommend', 'it reads which skills each user has used, which only the database keeps');
    const recommendations = await withDatabase(context, { write: true, needsAggregates: true }, (db) =>
      recommend(db, { userId, limit, ...scope }),
    );
    if (context.json) context.printJson({ userId, orgId: scope.orgId, recommendations });
    else printRecommendations(context, userId, recommendations);
    return EXIT.ok;
  },
};

/** Prints recommendations as a titled table, or says why there are none. */
export function printRecommendations(context: CliContext, userId: string, recommendations: readonly Recommendation[]): void {
  if (recommendations.length === 0) {
    context.print(`No recommendations for ${userId}: they have used every skill, or there is no traffic in the window.`);
    return;
  }
  context.print(context.painter.paint(`Recommended for ${userId}`, 'bold'));
  const rows = recommendations.map((item) => [String(item.id), item.skillId, formatNumber(item.score, 2), item.source, item.reason]);
  const columns = [
    { header: 'id', numeric: true },
    { header: 'skill' },
    { header: 'score', numeric: true },
    { header: 'source' },
    { header: 'reason' },
  ];
  context.print(renderTable(columns, rows, context.painter));
}
