import {
  leaderboard,
  leaderboardsByAgent,
  LEADERBOARD_DEFAULTS,
  LEADERBOARD_METRICS,
  type Leaderboard,
  type LeaderboardEntry,
  type LeaderboardMetric,
} from '../../../reports/leaderboards.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { withDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';
import { ask, markEstimate, printSourceNote, readReport, requireDatabase } from '../../reportSource.js';
import { formatCount, formatNumber, formatPercent } from '../../output/format.js';
import { AGENT_OPTION, reportScope, scopeTitle, windowOptions } from './reportOptions.js';
import { renderTable, type Cell, type Column } from '../../output/table.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';

/** How a board shows its score and the details behind it. */
interface BoardLayout {
  readonly title: string;
  readonly score: Column & { show: (score: number) => string | null };
  readonly details: readonly (readonly [Column, (details: LeaderboardEntry['details']) => string | null])[];
}

const count = (key: string) => (details: LeaderboardEntry['details']) =>
  typeof details[key] === 'number' ? formatCount(details[key]) : null;
const number =
  (key: string, digits = 2) =>
  (details: LeaderboardEntry['details']) =>
    formatNumber(details[key] as number | null, digits);

const LAYOUTS: Readonly<Record<LeaderboardMetric, BoardLayout>> = Object.freeze({
  usage: {
    title: 'Top skills by usage',
    score: { header: 'calls', numeric: true, show: formatCount },
    details: [
      [{ header: 'successes', numeric: true }, count('successes')],
      [{ header: 'failures', numeric: true }, count('failures')],
    ],
  },
  rating: {
    title: 'Top skills by rating (Bayesian average)',
    score: { header: 'rating', numeric: true, show: (score) => formatNumber(score, 2) },
    details: [
      [{ header: 'ratings', numeric: true }, count('ratings')],
      [{ header: 'mean', numeric: true }, number('meanRating')],
    ],
  },
  success_rate: {
    title: 'Top skills by success rate',
    score: { header: 'success', numeric: true, show: formatPercent },
    details: [
      [{ header: 'calls', numeric: true }, count('calls')],
      [{ header: 'failures', numeric: true }, count('failures')],
    ],
  },
  most_improved: {
    title: 'Most improved skills (health points gained)',
    score: { header: 'gain', numeric: true, show: (score) => `+${formatNumber(score, 1)}` },
    details: [
      [{ header: 'health', numeric: true }, number('health', 1)],
      [{ header: 'before', numeric: true }, number('previousHealth', 1)],
      [{ header: 'calls', numeric: true }, count('calls')],
    ],
  },
  trending_new: {
    title: 'Trending new skills',
    score: { header: 'calls', numeric: true, show: formatCount },
    details: [[{ header: 'first used' }, (details) => (typeof details['firstUse'] === 'string' ? details['firstUse'] : null)]],
  },
});

/** `leaderboard`: the top skills by one metric, with rank changes against the previous window. */
export const leaderboardCommand: Command = {
  name: 'leaderboard',
  usage: 'leaderboard [--metric METRIC] [--window SPAN] [--org ID] [--agent NAME | --by-agent] [--limit N] [options]',
  description:
    'Ranks skills over the window, each with its rank change against the previous window of the same\n' +
    'length (+2 moved up two places, new = not on the previous board). usage: calls; rating: Bayesian\n' +
    'average of the ratings (one 5-star vote does not beat five hundred 4.8s); success_rate: share of\n' +
    'calls that succeeded, among skills with --min-calls calls; most_improved: health points gained;\n' +
    'trending_new: calls of skills first used recently. --agent ranks the calls of one agent;\n' +
    '--by-agent prints the board of each agent with activity in the window, by name (calls without\n' +
    'an agent are on none of them; --json gives an array of boards). Computed on every run from the\n' +
    'write-time aggregates; the database is opened read-only. With --query-url (or ANALYTICS_QUERY_URL)\n' +
    'from a Prometheus store instead (not --by-agent), scores marked ~ when a counter was reset.',
  options: {
    metric: { type: 'string', value: 'METRIC', description: LEADERBOARD_METRICS.join(', '), default: 'usage' },
    ...windowOptions(DEFAULT_WINDOW),
    ...AGENT_OPTION,
    'by-agent': { type: 'boolean', description: 'one board per agent, instead of one of every agent' },
    limit: { type: 'string', value: 'N', description: 'entries shown', default: String(LEADERBOARD_DEFAULTS.limit) },
    'min-calls': {
      type: 'string',
      value: 'N',
      description: 'calls a skill needs for success_rate and most_improved',
      default: String(LEADERBOARD_DEFAULTS.minCalls),
    },
  },
  examples: [
    'leaderboard',
    'leaderboard --metric rating --window 30d --org acme --limit 5',
    'leaderboard --agent planner',
    'leaderboard --by-agent --limit 3',
  ],
  async run(context, args) {
    const metric = args.choice<LeaderboardMetric>('metric', LEADERBOARD_METRICS, 'usage');
    const limit = args.integer('limit', LEADERBOARD_DEFAULTS.limit, 1, 1000);
    const minCalls = args.integer('min-calls', LEADERBOARD_DEFAULTS.minCalls, 1);
    const scope = reportScope(args);
    const options = { metric, limit, minCalls, ...scope };
    if (args.flag('by-agent')) {
      if (scope.agentName !== undefined)
        throw args.usage('--agent and --by-agent do not go together: --agent ranks one agent, --by-agent each of them');
      requireDatabase(
        context,
        args,
        '--by-agent',
        'it finds the agents with activity in the database',
        'rank one agent at a time with --agent NAME (the values of the agent_name label)',
      );
      const boards = await withDatabase(context, { needsAggregates: true }, (db) => leaderboardsByAgent(db, options));
      if (context.json) context.printJson(boards);
      else printBoardsByAgent(context, boards);
      return EXIT.ok;
    }
    const { report: board, store } = await readReport(context, (from) => ask(leaderboard, from, options));
    if (context.json) context.printJson(board);
    else {
      printLeaderboard(context, board);
      printSourceNote(context, store, board.estimate === true && board.entries.length > 0);
    }
    return EXIT.ok;
  },
};

/** Prints the board of each agent, one after the other; a line when no agent had activity. */
function printBoardsByAgent(context: CliContext, boards: readonly Leaderboard[]): void {
  if (boards.length === 0) {
    context.print('No agent has calls on this board in this window (calls are given an agent by withContext or the wrap).');
    return;
  }
  boards.forEach((board, index) => {
    if (index > 0) context.print('');
    printLeaderboard(context, board);
  });
}

/** Prints a board: a title with its window and age, then rank, change, skill, score and details. */
export function printLeaderboard(context: CliContext, board: Leaderboard): void {
  const layout = LAYOUTS[board.metric];
  const [from = '', to = ''] = board.window.split('..');
  const window = { label: board.window, from, to };
  context.print(
    `${context.painter.paint(layout.title, 'bold')}, ${scopeTitle(window, board.orgId, board.agentName)} (computed ${board.computedAt} UTC)`,
  );
  if (board.entries.length === 0) {
    context.print(emptyBoard(board.metric));
    return;
  }
  const columns: Column[] = [
    { header: 'rank', numeric: true },
    { header: 'change' },
    { header: 'skill' },
    layout.score,
    ...layout.details.map(([column]) => column),
  ];
  const rows = board.entries.map((entry): Cell[] => [
    String(entry.rank),
    rankChange(entry.rankChange),
    entry.skillId,
    markEstimate(layout.score.show(entry.score), entry.estimate),
    ...layout.details.map(([, show]) => show(entry.details)),
  ]);
  context.print(renderTable(columns, rows, context.painter));
}

function rankChange(change: number | null): Cell {
  if (change === null) return { text: 'new', style: 'yellow' };
  if (change > 0) return { text: `+${change}`, style: 'green' };
  if (change < 0) return { text: String(change), style: 'red' };
  return '=';
}

function emptyBoard(metric: LeaderboardMetric): string {
  if (metric === 'rating') return 'No ratings in this window.';
  if (metric === 'success_rate' || metric === 'most_improved') return 'No skill has enough calls in this window (see --min-calls).';
  if (metric === 'trending_new') return 'No skill was first used recently enough to trend as new.';
  return 'No calls in this window.';
}
