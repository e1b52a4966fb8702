import type Database from 'better-sqlite3';
import { isPrometheusSource } from './prometheus/isPrometheusSource.js';
import type { PrometheusSource } from './prometheus/PrometheusSource.js';
import { storeHealthTotals } from './prometheus/storeSkills.js';
import { HEALTH_DEFAULTS, type HealthComponents } from '../health/healthScore.js';
import { sqliteTime } from '../store/schema.js';
import { isRankable, skillOrgs, type SkillOrgs } from './hourlyKeys.js';
import { lastCallHour, timingsBySkill, type SkillTimings } from './hourlyTotals.js';
import { positiveOption, reportScope, wholeNumberOption, type CallReportOptions } from './reportScope.js';
import { readSkillMetrics } from './allTimeRows.js';
import { windowHealth, type RatingTotals } from './skillHealth.js';

/** Options of {@link healthReport}. */
export interface HealthReportOptions extends CallReportOptions {
  /** p95 targets in ms of particular skills, > 0, by skill id. @default {} */
  latencyTargetsMs?: Readonly<Record<string, number>>;
  /** p95 target in ms of every other skill, > 0. @default 1000 */
  latencyTargetMs?: number;
  /** Calls in the window below which a skill gets no score, 1 or more. @default 20 */
  minCalls?: number;
  /** Days without calls after which a skill is a deprecation candidate, 1 or more. @default 30 */
  deprecatedAfterDays?: number;
}

/** The health of one skill over the window, with every part of it. */
export interface SkillHealthReport {
  skillId: string;
  /** 0-100 (one decimal) by computeHealth; undefined below `minCalls` calls. */
  score: number | undefined;
  /** success, latency (absent without timed calls), rating (absent without ratings), usage: each 0 to 1. */
  components: HealthComponents;
  /** The weights applied, renormalised over the components present. */
  weights: HealthComponents;
  /** successes + failures in the window. */
  calls: number;
  /** The observed success rate, successes / calls, 0 to 1; null without calls. */
  successRate: number | null;
  /**
   * The Wilson lower bound of the success rate at 95 % confidence, 0 to 1 (0 without calls): the
   * rate we can be 95 % sure of, lower than the observed one with few calls. The same number as
   * `components.success`, which the score uses.
   */
  successLowerBound: number;
  /** Fewer than `minCalls` calls: no score. */
  lowConfidence: boolean;
  /** p95 latency of the window in ms; null when no call was timed. */
  p95LatencyMs: number | null;
  /** The p95 target the latency component was measured against, ms. */
  latencyTargetMs: number;
  /** Start of the last hour with calls ('YYYY-MM-DD HH:00:00'), else skill_metrics.last_updated; null when unknown. */
  lastUsed: string | null;
  /** Not used for `deprecatedAfterDays` days (or never). */
  deprecatedCandidate: boolean;
  /** Only from a Prometheus source: a counter of the skill was reset in the window, so its counts are estimates (docs/fleet.md). */
  estimate?: boolean;
}

/** The defaults of {@link HealthReportOptions}: the health score's own, and 30 days. */
export const HEALTH_REPORT_DEFAULTS = Object.freeze({
  latencyTargetMs: HEALTH_DEFAULTS.latencyTargetMs,
  minCalls: HEALTH_DEFAULTS.minCalls,
  deprecatedAfterDays: 30,
});

const DAY_MS = 86_400_000;

interface HealthRequest {
  readonly targets: Readonly<Record<string, number>>;
  readonly latencyTargetMs: number;
  readonly minCalls: number;
  readonly deprecatedBefore: string;
}

/**
 * Health 0-100 per skill over the window, by computeHealth (the function of the live gauge, see
 * docs/health.md): successes, failures and p95 of the window (histogram_quantile over its summed
 * buckets), the skill's all-time ratings from skill_metrics (of every org and agent), its latency
 * target. Every known skill is listed (with `orgId` or `agentName`, every skill that org or agent
 * called), so unused ones show up as deprecation candidates; best score first, skills without a
 * score last.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function healthReport(db: Database.Database, options?: HealthReportOptions): SkillHealthReport[];
/**
 * The same report from a Prometheus store's query API (docs/fleet.md), in three requests: the
 * skills the store knows over the last `deprecatedAfterDays` (or the window, if longer), each
 * skill's ratings as the store holds them (of the processes of that span, of every org and agent),
 * and `lastUsed` the start of the last hour with calls in that span.
 */
export function healthReport(source: PrometheusSource, options?: HealthReportOptions): Promise<SkillHealthReport[]>;
export function healthReport(
  from: Database.Database | PrometheusSource,
  options?: HealthReportOptions,
): SkillHealthReport[] | Promise<SkillHealthReport[]> {
  const caller = 'healthReport';
  const scope = reportScope(caller, options, from);
  const { window, orgId, agentName, now } = scope;
  const deprecatedAfterDays = wholeNumberOption(
    caller,
    'deprecatedAfterDays',
    options?.deprecatedAfterDays,
    1,
    HEALTH_REPORT_DEFAULTS.deprecatedAfterDays,
  );
  const request: HealthRequest = {
    targets: targetsOption(caller, options?.latencyTargetsMs),
    latencyTargetMs: positiveOption(caller, 'latencyTargetMs', options?.latencyTargetMs, HEALTH_REPORT_DEFAULTS.latencyTargetMs),
    minCalls: wholeNumberOption(caller, 'minCalls', options?.minCalls, 1, HEALTH_REPORT_DEFAULTS.minCalls),
    deprecatedBefore: sqliteTime(now - deprecatedAfterDays * DAY_MS),
  };
  if (isPrometheusSource(from)) {
    return storeHealthTotals(from, scope, deprecatedAfterDays * DAY_MS).then(({ window: totals, ratings, lastUsed }) =>
      [...new Set([...lastUsed.keys(), ...totals.keys()])]
        .filter(isRankable)
        .map((skillId) => {
          const skill = totals.get(skillId);
          const report = skillReport(skillId, skill, ratings.get(skillId), lastUsed.get(skillId) ?? null, request);
          return { ...report, estimate: (skill?.resets ?? 0) > 0 };
        })
        .sort(byScore),
    );
  }
  const db = from;
  const metrics = readSkillMetrics(db);
  const skills = skillOrgs(db, { orgId, agentName }).filter((skill) => isRankable(skill.skillId));
  const totals = timingsBySkill(db, skills, window);
  const reports: SkillHealthReport[] = [];
  const everyone = orgId === undefined && agentName === undefined;
  for (const skill of withKnownSkills(skills, everyone ? [...metrics.keys()].filter(isRankable) : [])) {
    const { skillId } = skill;
    const lastUsed = lastCallHour(db, skill, orgId) ?? (everyone ? (metrics.get(skillId)?.lastUpdated ?? null) : null);
    if (!everyone && lastUsed === null && !totals.has(skillId)) continue;
    reports.push(skillReport(skillId, totals.get(skillId), metrics.get(skillId), lastUsed, request));
  }
  return reports.sort(byScore);
}

function skillReport(
  skillId: string,
  totals: SkillTimings | undefined,
  metrics: RatingTotals | undefined,
  lastUsed: string | null,
  request: HealthRequest,
): SkillHealthReport {
  const latencyTargetMs = Object.hasOwn(request.targets, skillId) ? request.targets[skillId]! : request.latencyTargetMs;
  const { health, p95LatencyMs } = windowHealth(totals, metrics, latencyTargetMs, request.minCalls);
  return {
    skillId,
    score: health.score,
    components: health.components,
    weights: health.weights,
    calls: health.calls,
    successRate: totals === undefined || health.calls === 0 ? null : totals.successes / health.calls,
    successLowerBound: health.components.success,
    lowConfidence: health.score === undefined,
    p95LatencyMs,
    latencyTargetMs,
    lastUsed,
    deprecatedCandidate: lastUsed === null || lastUsed < request.deprecatedBefore,
  };
}

/** `skills`, and the skills of `alsoKnown` without hourly rows (with no orgs to read). */
function withKnownSkills(skills: readonly SkillOrgs[], alsoKnown: readonly string[]): SkillOrgs[] {
  const listed = new Set(skills.map((skill) => skill.skillId));
  const unlisted = alsoKnown.filter((skillId) => !listed.has(skillId));
  return [...skills, ...unlisted.map((skillId) => ({ skillId, orgIds: [], agentName: undefined }))];
}

function byScore(a: SkillHealthReport, b: SkillHealthReport): number {
  return (b.score ?? -1) - (a.score ?? -1) || b.calls - a.calls || (a.skillId < b.skillId ? -1 : a.skillId > b.skillId ? 1 : 0);
}

function targetsOption(caller: string, targets: unknown): Readonly<Record<string, number>> {
  if (targets === undefined) return {};
  if (typeof targets !== 'object' || targets === null || Array.isArray(targets)) {
    throw new TypeError(
      `${caller}: option "latencyTargetsMs" must be an object of p95 targets in ms by skill id, got ${JSON.stringify(targets)}`,
    );
  }
  for (const [skillId, target] of Object.entries(targets)) positiveOption(caller, `latencyTargetsMs.${skillId}`, target, 0);
  return targets as Readonly<Record<string, number>>;
}
