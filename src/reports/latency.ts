import type Database from 'better-sqlite3';
import { isPrometheusSource } from './prometheus/isPrometheusSource.js';
import type { PrometheusSource } from './prometheus/PrometheusSource.js';
import { storeLatencyTotals } from './prometheus/storeSkills.js';
import { ERROR_TYPES, type ErrorType } from '../instruments/errorTypes.js';
import { skillOrgs } from './hourlyKeys.js';
import { latencyBySkill, type SkillLatency } from './hourlyTotals.js';
import { reportScope, type CallReportOptions } from './reportScope.js';
import { percentile } from './skillHealth.js';
import { prepared } from './statements.js';
import type { TimeRange } from './window.js';

/** Latency percentiles and failures of one skill over the window. */
export interface SkillLatencyReport {
  skillId: string;
  /** Calls that finished in the window (execution_count). */
  calls: number;
  /**
   * Percentiles in ms by histogram_quantile over the window's summed buckets, then clamped into
   * [minMs, maxMs] when those are known; null when no call was timed.
   */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /**
   * The fastest timed call of the window, ms, from the raw skill_usage rows (the aggregates keep no
   * minimum); null when unknown: no raw rows left, or more than {@link EXACT_EXTREMES_MAX_CALLS}
   * timed calls, whose rows the report does not read.
   */
  minMs: number | null;
  /** The mean latency of the timed calls, ms, exact (latency_sum_ms / timed calls); null without timed calls. */
  avgMs: number | null;
  /** The slowest timed call of the window, ms, as `minMs`; null when unknown. */
  maxMs: number | null;
  /**
   * The percentiles rest on fewer than {@link FEW_TIMED_CALLS} timed calls, too few for the bucket
   * interpolation to say much: show them as estimates. False when every timed call took the same
   * time (minMs = maxMs, as with one call): the percentiles are then exact.
   */
  estimated: boolean;
  /** failures / calls, 0 to 1. */
  errorRate: number;
  /** Failures by error type; every type is present. */
  errors: Record<ErrorType, number>;
  /**
   * Only from a Prometheus source: a counter of the skill was reset in the window (a process
   * restarted), so its counts are estimates (docs/fleet.md). Not `estimated`, which is about the
   * percentiles of few calls.
   */
  estimate?: boolean;
}

/** Below this many timed calls in the window, the percentiles are marked `estimated`. */
export const FEW_TIMED_CALLS = 20;

/**
 * Up to this many timed calls in the window, the report reads the skill's raw rows of the window
 * for its fastest and slowest call (a raw row holds one call or more, so at most this many rows):
 * bounded work where bucket estimates mislead most. Past it, minMs and maxMs are null and the
 * percentiles are the bucket estimates.
 */
export const EXACT_EXTREMES_MAX_CALLS = 1000;

/** The fastest and slowest call of a skill over the window: the aggregates keep sums only, the raw rows keep both. */
const EXTREMES_SQL = `SELECT min(latency_min_ms), max(latency_max_ms) FROM skill_usage
WHERE skill_id = ? AND timestamp >= ? AND timestamp < ?`;
const EXTREMES_IN_ORG_SQL = `${EXTREMES_SQL} AND org_id = ?`;
/** The same of one agent, through the agent's index (`agent_name <> ''` names its condition), in any org or in one. */
const AGENT_EXTREMES_SQL = `SELECT min(latency_min_ms), max(latency_max_ms) FROM skill_usage
WHERE agent_name = ? AND agent_name <> '' AND skill_id = ? AND timestamp >= ? AND timestamp < ?`;
const AGENT_EXTREMES_IN_ORG_SQL = `${AGENT_EXTREMES_SQL} AND org_id = ?`;

/** The fastest and slowest timed call, ms; null when unknown. */
export interface LatencyExtremes {
  readonly minMs: number | null;
  readonly maxMs: number | null;
}

/**
 * p50, p95 and p99 latency, exact min, average and max, error rate and failures by type per skill
 * with calls in the window, most called first (ties by skill id). Percentiles interpolate inside
 * the summed lat_le_* buckets exactly as PromQL's histogram_quantile does, so a Grafana panel over
 * the same data agrees, then are clamped into [min, max]: an estimate past the slowest call is
 * never right. Reads skill_usage_by_day and skill_usage_hourly, and for min and max of a skill
 * with at most EXACT_EXTREMES_MAX_CALLS timed calls one range of the (skill_id, timestamp) index of
 * skill_usage.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function latencyReport(db: Database.Database, options?: CallReportOptions): SkillLatencyReport[];
/**
 * The same report from a Prometheus store's query API (docs/fleet.md), in two requests: without
 * minMs and maxMs (a histogram keeps neither), so the percentiles are the bucket estimates.
 */
export function latencyReport(source: PrometheusSource, options?: CallReportOptions): Promise<SkillLatencyReport[]>;
export function latencyReport(
  from: Database.Database | PrometheusSource,
  options?: CallReportOptions,
): SkillLatencyReport[] | Promise<SkillLatencyReport[]> {
  const scope = reportScope('latencyReport', options, from);
  if (isPrometheusSource(from)) {
    return storeLatencyTotals(from, scope).then((totals) =>
      [...totals]
        .filter(([, skill]) => skill.calls > 0)
        .map(([skillId, skill]) => ({ ...skillLatency(skillId, skill), estimate: skill.resets > 0 }))
        .sort(byCalls),
    );
  }
  const db = from;
  const { window, orgId, agentName } = scope;
  const totals = latencyBySkill(db, skillOrgs(db, { orgId, agentName }), window);
  return [...totals]
    .filter(([, skill]) => skill.calls > 0)
    .map(([skillId, skill]) => {
      const timed = timedCalls(skill);
      const known = timed > 1 && timed <= EXACT_EXTREMES_MAX_CALLS ? extremes(db, skillId, window, orgId, agentName) : undefined;
      return skillLatency(skillId, skill, known);
    })
    .sort(byCalls);
}

function byCalls(a: SkillLatencyReport, b: SkillLatencyReport): number {
  return b.calls - a.calls || (a.skillId < b.skillId ? -1 : 1);
}

/**
 * One row of {@link latencyReport} from a skill's window totals and, when known, its fastest and
 * slowest call. With one timed call both are its latency, the average.
 */
export function skillLatency(skillId: string, totals: SkillLatency, known?: LatencyExtremes): SkillLatencyReport {
  const timed = timedCalls(totals);
  const avgMs = timed > 0 ? totals.latencySumMs / timed : null;
  const unknown: LatencyExtremes = { minMs: null, maxMs: null };
  const { minMs, maxMs } = timed === 1 ? { minMs: avgMs, maxMs: avgMs } : timed === 0 ? unknown : (known ?? unknown);
  const quantile = (q: number): number | null => {
    const value = percentile(q, totals.latencyBuckets, totals.latencyBounds);
    if (Number.isNaN(value)) return null;
    return minMs !== null && maxMs !== null ? Math.min(maxMs, Math.max(minMs, value)) : value;
  };
  const errors = Object.fromEntries(ERROR_TYPES.map((type, i) => [type, totals.errors[i] ?? 0])) as Record<ErrorType, number>;
  return {
    skillId,
    calls: totals.calls,
    p50: quantile(0.5),
    p95: quantile(0.95),
    p99: quantile(0.99),
    minMs,
    avgMs,
    maxMs,
    estimated: timed > 0 && timed < FEW_TIMED_CALLS && !(minMs !== null && minMs === maxMs),
    errorRate: totals.calls > 0 ? totals.failures / totals.calls : 0,
    errors,
  };
}

function timedCalls(totals: SkillLatency): number {
  return totals.latencyBuckets.reduce((sum, count) => sum + count, 0);
}

type Extremes = [number | null, number | null];

function extremes(
  db: Database.Database,
  skillId: string,
  window: TimeRange,
  orgId: string | undefined,
  agentName: string | undefined,
): LatencyExtremes {
  const inOrg = orgId === undefined ? [] : [orgId];
  const row =
    agentName === undefined
      ? prepared<string[], Extremes>(db, orgId === undefined ? EXTREMES_SQL : EXTREMES_IN_ORG_SQL)
          .raw(true)
          .get(skillId, window.from, window.to, ...inOrg)
      : prepared<string[], Extremes>(db, orgId === undefined ? AGENT_EXTREMES_SQL : AGENT_EXTREMES_IN_ORG_SQL)
          .raw(true)
          .get(agentName, skillId, window.from, window.to, ...inOrg);
  const [minMs = null, maxMs = null] = row ?? [];
  return { minMs, maxMs };
}
