import { resolveWindow, type ResolvedWindow, type WindowSpec } from '../../../reports/window.js';
import type { OptionSpecs, ParsedArgs } from '../../args.js';

/** The options every report takes: the window and the org. */
export function windowOptions(defaultWindow: string): OptionSpecs {
  return {
    window: {
      type: 'string',
      value: 'SPAN',
      description: 'the period: 24h, 7d, 30d, any whole number of hours or days (12h, 90d), or FROM..TO (dates or times, UTC)',
      default: defaultWindow,
    },
    org: { type: 'string', value: 'ID', description: "only this organisation's activity", default: 'every org' },
  };
}

/** The option of the reports over calls: one agent. The per-user reports (adoption, recommend) have no agent to take. */
export const AGENT_OPTION: OptionSpecs = Object.freeze({
  agent: {
    type: 'string',
    value: 'NAME',
    description: "only this agent's calls, ratings and installs (the agentName of withContext or of the wrap)",
    default: 'every agent',
  },
});

/**
 * The window, org and agent as the report functions take them; `window` is left out when not
 * given, so each report's default applies.
 */
export interface ReportScopeArgs {
  window?: WindowSpec;
  orgId?: string;
  agentName?: string;
}

/** Reads --window, --org and --agent (of the commands that have it), checking the window the way the reports will. */
export function reportScope(args: ParsedArgs): ReportScopeArgs {
  const scope: ReportScopeArgs = {};
  const window = args.string('window');
  if (window !== undefined) scope.window = windowSpec(args, window.trim());
  const org = args.string('org');
  if (org !== undefined) {
    if (org.trim() === '') throw args.usage('--org needs an organisation id');
    scope.orgId = org;
  }
  const agent = args.string('agent');
  if (agent !== undefined) {
    if (agent.trim() === '') throw args.usage('--agent needs an agent name');
    scope.agentName = agent;
  }
  return scope;
}

function windowSpec(args: ParsedArgs, text: string): WindowSpec {
  const [from, to, ...rest] = text.split('..');
  const spec: WindowSpec = to === undefined ? (text as WindowSpec) : { from: from ?? '', to };
  try {
    if (rest.length > 0) throw new RangeError('more than one ".."');
    resolveWindow(spec);
  } catch (error) {
    const detail = (error as Error).message.replace(/^resolveWindow: /, '').replace(/; use .*$/, '');
    throw args.usage(
      `--window ${JSON.stringify(text)} is not a window (${detail}); use 24h, 7d, 30d, 12h, 90d or FROM..TO such as 2026-05-01..2026-05-08`,
    );
  }
  return spec;
}

/** The window a report covered, as the JSON output shows it. */
export interface WindowView {
  readonly label: string;
  readonly from: string;
  readonly to: string;
}

/** The window of `scope` (or `defaultWindow`) pinned at `now`, as the report pins it. */
export function windowView(scope: ReportScopeArgs, defaultWindow: WindowSpec, now: number): WindowView {
  const { label, from, to }: ResolvedWindow = resolveWindow(scope.window ?? defaultWindow, now);
  return { label, from, to };
}

/** How a title names the window, the org and the agent: `last 7d, every org`, `last 7d, org acme, agent planner`. */
export function scopeTitle(window: WindowView, orgId: string | undefined, agentName?: string): string {
  const period = /^\d+[hd]$/.test(window.label) ? `last ${window.label}` : `${window.from} to ${window.to} UTC`;
  return `${period}, ${orgId === undefined ? 'every org' : `org ${orgId}`}${agentName === undefined ? '' : `, agent ${agentName}`}`;
}
