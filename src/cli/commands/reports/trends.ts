import {
  growth,
  TREND_GRANULARITIES,
  usageTrend,
  type GrowthRow,
  type TrendGranularity,
  type UsagePoint,
} from '../../../reports/trends.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { EXIT } from '../../cliErrors.js';
import { ask, markEstimate, printSourceNote, readReport } from '../../reportSource.js';
import { formatCount, formatPercent } from '../../output/format.js';
import {
  AGENT_OPTION,
  reportScope,
  scopeTitle,
  windowOptions,
  windowView,
  type ReportScopeArgs,
  type WindowView,
} from './reportOptions.js';
import { renderTable, type Cell, type Column } from '../../output/table.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';

/** Bucket columns a terminal table shows; --json has them all. */
const SHOWN_BUCKETS = 12;

/** `trends`: calls per skill per hour, day or week, with growth against the previous window. */
export const trendsCommand: Command = {
  name: 'trends',
  usage: 'trends [--granularity hour|day|week] [--window SPAN] [--skill ID ...] [--org ID] [--agent NAME] [options]',
  description:
    'Calls per skill in each hour, day or week (ISO weeks from Monday, UTC) of the window, with the\n' +
    'total and its growth against the previous window of the same length. The table shows the last\n' +
    `${SHOWN_BUCKETS} buckets; --json has every bucket with successes and failures. With --query-url (or\n` +
    'ANALYTICS_QUERY_URL) from a Prometheus store instead, counts marked ~ when a counter was reset.',
  options: {
    granularity: { type: 'string', value: 'UNIT', description: 'hour, day or week', default: 'day' },
    ...windowOptions(DEFAULT_WINDOW),
    ...AGENT_OPTION,
    skill: { type: 'string', value: 'ID', multiple: true, description: 'only this skill; repeat for several', default: 'every skill' },
  },
  examples: ['trends', 'trends --granularity hour --window 24h --skill web_search --skill summarize', 'trends --agent planner'],
  async run(context, args) {
    const granularity = args.choice<TrendGranularity>('granularity', TREND_GRANULARITIES, 'day');
    const skillIds = args.strings('skill');
    const scope = reportScope(args);
    const now = Date.now();
    const { report, store } = await readReport(context, async (from) => {
      const [usage, rows] = await Promise.all([
        ask(usageTrend, from, { granularity, ...scope, now, ...(skillIds.length > 0 ? { skillIds } : {}) }),
        ask(growth, from, { ...scope, now }),
      ]);
      return { usage, growthRows: rows.filter((row) => skillIds.length === 0 || skillIds.includes(row.skillId)) };
    });
    const { usage, growthRows } = report;
    const window = windowView(scope, DEFAULT_WINDOW, now);
    if (context.json) context.printJson({ window, orgId: scope.orgId, agentName: scope.agentName, granularity, usage, growth: growthRows });
    else {
      const estimates = printTrends(context, granularity, usage, growthRows, window, scope);
      printSourceNote(context, store, estimates);
    }
    return EXIT.ok;
  },
};

/** Prints the table; returns whether it marked any count as an estimate. */
function printTrends(
  context: CliContext,
  granularity: TrendGranularity,
  usage: readonly UsagePoint[],
  growthRows: readonly GrowthRow[],
  window: WindowView,
  { orgId, agentName }: ReportScopeArgs,
): boolean {
  context.print(`${context.painter.paint(`Calls per ${granularity}`, 'bold')}, ${scopeTitle(window, orgId, agentName)}`);
  if (growthRows.length === 0) {
    context.print('No calls in this window.');
    return false;
  }
  const buckets = [...new Set(usage.map((point) => point.bucket))].sort().slice(-SHOWN_BUCKETS);
  const points = new Map(usage.map((point) => [`${point.skillId}\u0000${point.bucket}`, point]));
  const bucketCell = (skillId: string, bucket: string): string | null => {
    const point = points.get(`${skillId}\u0000${bucket}`);
    return markEstimate(formatCount(point?.executions ?? 0), point?.estimate);
  };
  const columns: Column[] = [
    { header: 'skill' },
    ...buckets.map((bucket) => ({ header: bucketLabel(bucket, granularity), numeric: true })),
    { header: 'total', numeric: true },
    { header: 'previous', numeric: true },
    { header: 'growth', numeric: true },
  ];
  const shown = growthRows.filter((row) => row.calls > 0);
  const rows = shown.map((row): Cell[] => [
    row.skillId,
    ...buckets.map((bucket) => bucketCell(row.skillId, bucket)),
    markEstimate(formatCount(row.calls), row.estimate),
    markEstimate(formatCount(row.previousCalls), row.estimate),
    growthCell(row.growthRate),
  ]);
  context.print(renderTable(columns, rows, context.painter));
  const hidden = new Set(usage.map((point) => point.bucket)).size - buckets.length;
  if (hidden > 0) context.print(`(${hidden} earlier ${granularity}s not shown; --json has them all)`);
  const shownPoints = usage.filter((point) => buckets.includes(point.bucket) && shown.some((row) => row.skillId === point.skillId));
  return shown.some((row) => row.estimate === true) || shownPoints.some((point) => point.estimate === true);
}

function bucketLabel(bucket: string, granularity: TrendGranularity): string {
  if (granularity === 'hour') return `${bucket.slice(5, 10)} ${bucket.slice(11, 13)}h`;
  return bucket.slice(5, 10);
}

function growthCell(rate: number | null): Cell {
  if (rate === null) return { text: 'new', style: 'yellow' };
  const text = `${rate > 0 ? '+' : ''}${formatPercent(rate)}`;
  return { text, style: rate > 0 ? 'green' : rate < 0 ? 'red' : undefined };
}
