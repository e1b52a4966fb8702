import { ATTR } from '../../instruments/names.js';

/**
 * PromQL text for the reports. Counts of a range come from a telescoping difference of each
 * series' last values, never from `increase()`, which extrapolates to the range's edges (over one
 * hour Prometheus said 327 for 300 calls): see {@link countExpr}.
 */

/** The label a tagged union puts on each part, so one query can carry several. */
export const PART_LABEL = 'tw_part';

/** Label matchers every selector of a report carries: the org and the agent it is narrowed to. */
export interface ScopeMatchers {
  readonly orgId: string | undefined;
  readonly agentName: string | undefined;
  /** Only these skills; undefined for every skill. */
  readonly skillIds?: readonly string[] | undefined;
}

/** `metric{skill_id!="", org_id="…", agent_name="…"}`: the series of named skills (not the overflow series) in scope. */
export function selector(metric: string, scope: ScopeMatchers): string {
  const matchers = [`${ATTR.skillId}!=""`];
  if (scope.orgId !== undefined) matchers.push(`${ATTR.orgId}=${quote(scope.orgId)}`);
  if (scope.agentName !== undefined) matchers.push(`${ATTR.agentName}=${quote(scope.agentName)}`);
  if (scope.skillIds !== undefined) matchers.push(`${ATTR.skillId}=~${quote(scope.skillIds.map(regexLiteral).join('|'))}`);
  return `${metric}{${matchers.join(', ')}}`;
}

/** A PromQL duration in whole milliseconds, `3600000ms`: ranges end exactly where the reports' windows do. */
export function duration(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

function offset(ms: number): string {
  return ms > 0 ? ` offset ${duration(ms)}` : '';
}

/**
 * What the series of `sel` counted in the `rangeMs` before the evaluation time (less `offsetMs`),
 * summed by `by`: for each series, its last value in the range minus its last value before the
 * range; a series without a value before (new in the range) counts from 0, and one whose value fell
 * (it was reset: its process restarted) counts its last value. Exact when every series was first
 * emitted at 0 and none was reset in the range ({@link resetsExpr} tells). `endLookbackMs` and
 * `startLookbackMs`: how far back from the range's end and start the last values are looked for;
 * the range's length finds every series, a shorter one only those sampled that close to the edge.
 */
export function countExpr(
  sel: string,
  by: readonly string[],
  rangeMs: number,
  offsetMs = 0,
  endLookbackMs = rangeMs,
  startLookbackMs = rangeMs,
): string {
  const last = `last_over_time(${sel}[${duration(endLookbackMs)}]${offset(offsetMs)})`;
  const before = `last_over_time(${sel}[${duration(startLookbackMs)}]${offset(offsetMs + rangeMs)})`;
  return `sum by (${by.join(', ')}) (((${last} - ${before}) >= 0) or ${last})`;
}

/**
 * The sum over the series of `sel` of their last (`last`) or highest (`max`) value in the `rangeMs`
 * before the evaluation time (less `offsetMs`): what each process had counted since it started.
 */
export function overTimeExpr(mode: 'last' | 'max', sel: string, by: readonly string[], rangeMs: number, offsetMs = 0): string {
  return `sum by (${by.join(', ')}) (${mode}_over_time(${sel}[${duration(rangeMs)}]${offset(offsetMs)}))`;
}

/** How many times the series of `sel` were reset in the range, summed by `by`. */
export function resetsExpr(sel: string, by: readonly string[], rangeMs: number, offsetMs = 0): string {
  return `sum by (${by.join(', ')}) (resets(${sel}[${duration(rangeMs)}]${offset(offsetMs)}))`;
}

/** One query of several parts: each part's series carry `tw_part="<name>"`. */
export function taggedUnion(parts: Readonly<Record<string, string>>): string {
  return Object.entries(parts)
    .map(([name, expr]) => `label_replace(${expr}, "${PART_LABEL}", ${quote(name)}, "", "")`)
    .join(' or ');
}

/** A PromQL double-quoted string literal. */
export function quote(text: string): string {
  return JSON.stringify(text);
}

/** `text` matched literally inside a RE2 regular expression. */
function regexLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
