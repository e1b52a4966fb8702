import { healthReport, HEALTH_REPORT_DEFAULTS, type SkillHealthReport } from '../../../reports/healthReport.js';
import type { Style } from '../../output/colour.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { EXIT } from '../../cliErrors.js';
import { ask, markEstimate, printSourceNote, readReport } from '../../reportSource.js';
import { formatCount, formatMs, formatNumber } from '../../output/format.js';
import { AGENT_OPTION, reportScope, scopeTitle, windowOptions, windowView, type WindowView } from './reportOptions.js';
import { renderTable, type Cell } from '../../output/table.js';
import { DEFAULT_WINDOW } from '../../../reports/window.js';

/** The column of the Wilson lower bound of the success rate, the success component of the score. */
const SUCCESS_BOUND_HEADER = 'success≥ (95%)';

/** `health`: the health score of every skill with each of its components. */
export const healthCommand: Command = {
  name: 'health',
  usage: 'health [--window SPAN] [--org ID] [--agent NAME] [--min-calls N] [--deprecated-after DAYS] [options]',
  description:
    'Scores each skill 0-100 over the window with the same function as the live health gauge\n' +
    '(docs/health.md): success rate (its Wilson lower bound), p95 latency against its target\n' +
    '(ANALYTICS_LATENCY_TARGET_MS, per skill ANALYTICS_LATENCY_TARGETS), rating and recent usage, each\n' +
    'component shown from 0 to 1. "success" is the observed success rate; "success≥ (95%)" its Wilson\n' +
    'lower bound, the rate we can be 95% sure of, which the score uses. Skills with fewer than\n' +
    '--min-calls calls get no score; skills unused for --deprecated-after days are flagged as\n' +
    'deprecation candidates. With --agent, the calls of that agent and the skills it called; the\n' +
    "rating component stays the skill's all-time rating, of every agent. With --query-url (or\n" +
    'ANALYTICS_QUERY_URL) from a Prometheus store instead, calls marked ~ when a counter was reset.',
  options: {
    ...windowOptions(DEFAULT_WINDOW),
    ...AGENT_OPTION,
    'min-calls': {
      type: 'string',
      value: 'N',
      description: 'calls in the window before a skill gets a score',
      default: 'ANALYTICS_HEALTH_MIN_CALLS, else 20',
    },
    'deprecated-after': {
      type: 'string',
      value: 'DAYS',
      description: 'days without calls that flag a skill',
      default: String(HEALTH_REPORT_DEFAULTS.deprecatedAfterDays),
    },
  },
  examples: ['health', 'health --window 24h --org acme --json', 'health --agent planner'],
  async run(context, args) {
    const { health } = context.config();
    const scope = reportScope(args);
    const now = Date.now();
    const options = {
      ...scope,
      now,
      latencyTargetMs: health.latencyTargetMs,
      latencyTargetsMs: health.latencyTargetsMs,
      minCalls: args.integer('min-calls', health.minCalls, 1),
      deprecatedAfterDays: args.integer('deprecated-after', HEALTH_REPORT_DEFAULTS.deprecatedAfterDays, 1),
    };
    const { report: skills, store } = await readReport(context, (from) => ask(healthReport, from, options));
    const window = windowView(scope, DEFAULT_WINDOW, now);
    if (context.json) context.printJson({ window, orgId: scope.orgId, agentName: scope.agentName, skills });
    else {
      printHealth(context, skills, window, scope.orgId, scope.agentName);
      printSourceNote(
        context,
        store,
        skills.some((skill) => skill.estimate === true),
      );
    }
    return EXIT.ok;
  },
};

/** Prints the health table: score coloured green from 80, yellow from 50, red below; flags last. */
export function printHealth(
  context: CliContext,
  skills: readonly SkillHealthReport[],
  window: WindowView,
  orgId: string | undefined,
  agentName?: string,
): void {
  context.print(`${context.painter.paint('Skill health', 'bold')}, ${scopeTitle(window, orgId, agentName)}`);
  if (skills.length === 0) {
    context.print('No skills yet.');
    return;
  }
  const columns = [
    { header: 'skill' },
    { header: 'health', numeric: true },
    { header: 'calls', numeric: true },
    { header: 'success', numeric: true },
    { header: SUCCESS_BOUND_HEADER, numeric: true },
    { header: 'p95', numeric: true },
    { header: 'target', numeric: true },
    { header: 'latency', numeric: true },
    { header: 'rating', numeric: true },
    { header: 'usage', numeric: true },
    { header: 'last used' },
    { header: 'flags' },
  ];
  context.print(renderTable(columns, skills.map(healthRow), context.painter));
}

function healthRow(skill: SkillHealthReport): Cell[] {
  const { components } = skill;
  const flags = [skill.lowConfidence ? 'too few calls' : '', skill.deprecatedCandidate ? 'unused: deprecate?' : ''].filter(
    (flag) => flag !== '',
  );
  return [
    skill.skillId,
    skill.score === undefined ? null : { text: formatNumber(skill.score, 1) ?? '', style: scoreStyle(skill.score) },
    markEstimate(formatCount(skill.calls), skill.estimate),
    formatNumber(skill.successRate, 2),
    formatNumber(skill.successLowerBound, 2),
    formatMs(skill.p95LatencyMs),
    formatMs(skill.latencyTargetMs),
    formatNumber(components.latency, 2),
    formatNumber(components.rating, 2),
    formatNumber(components.usage, 2),
    skill.lastUsed,
    flags.length === 0 ? '' : { text: flags.join(', '), style: 'yellow' },
  ];
}

function scoreStyle(score: number): Style {
  return score >= 80 ? 'green' : score >= 50 ? 'yellow' : 'red';
}
