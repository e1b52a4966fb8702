import type Database from 'better-sqlite3';
import { ERROR_TYPES, type ErrorType } from '../instruments/errorTypes.js';
import { skillOrgs } from './hourlyKeys.js';
import { latencyBySkill, type SkillLatency } from './hourlyTotals.js';
import { reportScope, type ReportOptions } from './options.js';
import { percentile } from './skillHealth.js';

/** Latency percentiles and failures of one skill over the window. */
export interface SkillLatencyReport {
  skillId: string;
  /** Calls that finished in the window (execution_count). */
  calls: number;
  /** Percentiles in ms by histogram_quantile over the window's summed buckets; null when no call was timed. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** failures / calls, 0 to 1. */
  errorRate: number;
  /** Failures by error type; every type is present. */
  errors: Record<ErrorType, number>;
}

/**
 * p50, p95 and p99 latency, error rate and failures by type per skill with calls in the window,
 * most called first (ties by skill id). Percentiles interpolate inside the summed lat_le_* buckets
 * exactly as PromQL's histogram_quantile does, so a Grafana panel over the same data agrees.
 * Reads skill_usage_hourly only.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function latencyReport(db: Database.Database, options?: ReportOptions): SkillLatencyReport[] {
  const { window, orgId } = reportScope('latencyReport', options);
  const totals = latencyBySkill(db, skillOrgs(db, orgId), window);
  return [...totals]
    .filter(([, skill]) => skill.calls > 0)
    .map(([skillId, skill]) => skillLatency(skillId, skill))
    .sort((a, b) => b.calls - a.calls || (a.skillId < b.skillId ? -1 : 1));
}

/** One row of {@link latencyReport} from a skill's window totals. */
export function skillLatency(skillId: string, totals: SkillLatency): SkillLatencyReport {
  const quantile = (q: number): number | null => {
    const value = percentile(q, totals.latencyBuckets);
    return Number.isNaN(value) ? null : value;
  };
  const errors = Object.fromEntries(ERROR_TYPES.map((type, i) => [type, totals.errors[i] ?? 0])) as Record<ErrorType, number>;
  return {
    skillId,
    calls: totals.calls,
    p50: quantile(0.5),
    p95: quantile(0.95),
    p99: quantile(0.99),
    errorRate: totals.calls > 0 ? totals.failures / totals.calls : 0,
    errors,
  };
}
