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
import { withDatabase } from '../../database.js';
import { EXIT } from '../../cliErrors.js';
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
    `${SHOWN_BUCKETS} buckets; --json has every bucket with successes and failures.`,
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
    const { usage, growthRows } = await withDatabase(context, { needsAggregates: true }, (db) => ({
      usage: usageTrend(db, { granularity, ...scope, now, ...(skillIds.length > 0 ? { skillIds } : {}) }),
      growthRows: growth(db, { ...scope, now }).filter((row) => skillIds.length === 0 || skillIds.includes(row.skillId)),
    }));
    const window = windowView(scope, DEFAULT_WINDOW, now);
    if (context.json) context.printJson({ window, orgId: scope.orgId, agentName: scope.agentName, granularity, usage, growth: growthRows });
    else printTrends(context, granularity, usage, growthRows, window, scope);
    return EXIT.ok;
  },
};

function printTrends(
  context: CliContext,
  granularity: TrendGranularity,
  usage: readonly UsagePoint[],
  growthRows: readonly GrowthRow[],
  window: WindowView,
  { orgId, agentName }: ReportScopeArgs,
): void {
  context.print(`${context.painter.paint(`Calls per ${granularity}`, 'bold')}, ${scopeTitle(window, orgId, agentName)}`);
  if (growthRows.length === 0) {
    context.print('No calls in this window.');
    return;
  }
  const buckets = [...new Set(usage.map((point) => point.bucket))].sort().slice(-SHOWN_BUCKETS);
  const calls = new Map(usage.map((point) => [`${point.skillId}\u0000${point.bucket}`, point.executions]));
  const columns: Column[] = [
    { header: 'skill' },
    ...buckets.map((bucket) => ({ header: bucketLabel(bucket, granularity), numeric: true })),
    { header: 'total', numeric: true },
    { header: 'previous', numeric: true },
    { header: 'growth', numeric: true },
  ];
  const rows = growthRows
    .filter((row) => row.calls > 0)
    .map((row): Cell[] => [
      row.skillId,
      ...buckets.map((bucket) => formatCount(calls.get(`${row.skillId}\u0000${bucket}`) ?? 0)),
      formatCount(row.calls),
      formatCount(row.previousCalls),
      growthCell(row.growthRate),
    ]);
  context.print(renderTable(columns, rows, context.painter));
  const hidden = new Set(usage.map((point) => point.bucket)).size - buckets.length;
  if (hidden > 0) context.print(`(${hidden} earlier ${granularity}s not shown; --json has them all)`);
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
