/**
 * PromQL building blocks of the Prometheus panels. The metric names come from names.ts, so a
 * rename there reaches every panel. Grafana replaces `$skill` (a regex of the chosen skills, `.*`
 * for all), `$interval` (the interval variable, e.g. 5m) and `$__range` (the dashboard's range).
 */
import { EXECUTIONS, FAILURES, HEALTH, INSTALLS, LATENCY, RATING, SUCCESSES } from '../instruments/names.js';

/** Label matcher of the skills chosen in the skill variable. */
const SKILLS = 'skill_id=~"$skill"';

/** Series of `metric` for the chosen skills, e.g. `toolweaver_skill_executions_total{skill_id=~"$skill"}`. */
export function chosen(metric: string): string {
  return `${metric}{${SKILLS}}`;
}

/** Increase of a counter over `window` per skill: `sum by (skill_id) (increase(…[window]))`. */
export function increaseBySkill(metric: string, window: string, offset?: string): string {
  return `sum by (skill_id) (increase(${chosen(metric)}[${window}]${offset === undefined ? '' : ` offset ${offset}`}))`;
}

export const CALLS = EXECUTIONS.name;
export const SUCCESS = SUCCESSES.name;
export const FAILED = FAILURES.name;
export const INSTALLED = INSTALLS.name;
export const LATENCY_BUCKET = `${LATENCY.name}_bucket`;
export const LATENCY_SUM = `${LATENCY.name}_sum`;
export const LATENCY_COUNT = `${LATENCY.name}_count`;
export const RATING_SUM = `${RATING.name}_sum`;
export const RATING_COUNT = `${RATING.name}_count`;
export const HEALTH_SCORE = HEALTH.name;

/** p-quantile of the latency per skill over `window`, from the histogram buckets. */
export function latencyQuantile(q: number, window: string): string {
  return `histogram_quantile(${q}, sum by (skill_id, le) (rate(${chosen(LATENCY_BUCKET)}[${window}])))`;
}

/** Success rate per skill over `window` (0 to 1), optionally `offset` back. */
export function successRate(window: string, offset?: string): string {
  return `${increaseBySkill(SUCCESS, window, offset)} / ${increaseBySkill(CALLS, window, offset)}`;
}
