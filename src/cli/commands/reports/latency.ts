import { FEW_TIMED_CALLS, latencyReport, type SkillLatencyReport } from '../../../reports/latency.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { EXIT } from '../../cliErrors.js';
import { ask, markEstimate, printSourceNote, readReport } from '../../reportSource.js';
import { formatCount, formatMs, formatPercent } from '../../output/format.js';
import { AGENT_OPTION, reportScope, scopeTitle, windowOptions, windowView } from './reportOptions.js';
import { renderTable, type Cell } from '../../output/table.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';

/** `latency`: p50, p95 and p99 per skill, with error rates and the failures by type. */
export const latencyCommand: Command = {
  name: 'latency',
  usage: 'latency [--window SPAN] [--org ID] [--agent NAME] [options]',
  description:
    'Latency percentiles per skill over the window, interpolated inside the summed histogram buckets\n' +
    "exactly as Prometheus' histogram_quantile does (so a Grafana panel over the same data agrees),\n" +
    'then kept within the fastest and slowest call, with the exact average, minimum and maximum, the\n' +
    `error rate and the failures by error type. Percentiles from fewer than ${FEW_TIMED_CALLS} timed calls are\n` +
    'marked ~, as estimates. Most called skills first. With --query-url (or ANALYTICS_QUERY_URL) from a\n' +
    'Prometheus store instead, without min and max (a histogram keeps neither); calls marked ~ when a\n' +
    'counter was reset.',
  options: { ...windowOptions(DEFAULT_WINDOW), ...AGENT_OPTION },
  examples: ['latency --window 24h', 'latency --agent planner'],
  async run(context, args) {
    const scope = reportScope(args);
    const now = Date.now();
    const { report: skills, store } = await readReport(context, (from) => ask(latencyReport, from, { ...scope, now }));
    const window = windowView(scope, DEFAULT_WINDOW, now);
    if (context.json) {
      context.printJson({ window, orgId: scope.orgId, agentName: scope.agentName, skills });
      return EXIT.ok;
    }
    context.print(`${context.painter.paint('Latency and errors', 'bold')}, ${scopeTitle(window, scope.orgId, scope.agentName)}`);
    if (skills.length === 0) context.print('No calls in this window.');
    else {
      const headers = ['skill', 'calls', 'avg', 'min', 'p50', 'p95', 'p99', 'max', 'errors', 'error types'];
      const columns = headers.map((header) => ({ header, numeric: !['skill', 'error types'].includes(header) }));
      context.print(renderTable(columns, skills.map(latencyRow), context.painter));
      printLatencyNotes(context, skills, store !== undefined);
    }
    printSourceNote(
      context,
      store,
      skills.some((skill) => skill.estimate === true),
    );
    return EXIT.ok;
  },
};

/** What the marks mean; from a store, also why min and max are missing. */
function printLatencyNotes(context: CliContext, skills: readonly SkillLatencyReport[], fromStore: boolean): void {
  const few = skills.some((skill) => skill.estimated);
  if (!fromStore) {
    if (few)
      context.print(`\n~ estimated from the histogram buckets of fewer than ${FEW_TIMED_CALLS} timed calls, kept within min and max.`);
    return;
  }
  if (few) context.print(`\n~ on a percentile: estimated from the histogram buckets of fewer than ${FEW_TIMED_CALLS} timed calls.`);
  context.print(
    `${few ? '' : '\n'}min and max: a Prometheus histogram keeps neither, so they show - and the percentiles are the bucket estimates.`,
  );
}

function latencyRow(skill: SkillLatencyReport): Cell[] {
  const types = Object.entries(skill.errors)
    .filter(([, count]) => count > 0)
    .sort(([, a], [, b]) => b - a)
    .map(([type, count]) => `${type} ${formatCount(count)}`);
  const rate = formatPercent(skill.errorRate) ?? '';
  const style = skill.errorRate >= 0.05 ? 'red' : skill.errorRate >= 0.01 ? 'yellow' : undefined;
  const percentile = (ms: number | null) => {
    const text = formatMs(ms);
    return text !== null && skill.estimated ? `~${text}` : text;
  };
  return [
    skill.skillId,
    markEstimate(formatCount(skill.calls), skill.estimate),
    formatMs(skill.avgMs),
    formatMs(skill.minMs),
    percentile(skill.p50),
    percentile(skill.p95),
    percentile(skill.p99),
    formatMs(skill.maxMs),
    { text: rate, style },
    types.join(', '),
  ];
}
