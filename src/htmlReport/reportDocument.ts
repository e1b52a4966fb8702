import type Database from 'better-sqlite3';
import { adoptionReport, type AdoptionReport } from '../reports/adoption.js';
import { healthReport, type SkillHealthReport } from '../reports/healthReport.js';
import { latencyReport, type SkillLatencyReport } from '../reports/latency.js';
import { LEADERBOARD_METRICS, leaderboard, type LeaderboardEntry, type LeaderboardMetric } from '../reports/leaderboards.js';
import { recommendationEffectiveness, type EffectivenessFigures } from '../reports/recommendationEffectiveness.js';
import { previewRecommendations, type Unlogged } from '../reports/recommendations.js';
import { successRateByDay, usageTrend } from '../reports/trends.js';
import { dayRange, resolveWindow, timeMs, type WindowSpec } from '../reports/window.js';
import { sqliteTime } from '../store/schema.js';
import { Pseudonyms } from './Pseudonyms.js';

/** Options of {@link reportDocument} and of htmlReport. */
export interface HtmlReportOptions {
  /** The period the report covers. @default '7d' */
  window?: WindowSpec;
  /** Only this organisation's activity. @default undefined (every org) */
  orgId?: string;
  /** Only this agent's calls (the reports over calls). @default undefined (every agent) */
  agentName?: string;
  /** Users whose own recommendations the report lists (read without logging). @default [] */
  userIds?: readonly string[];
  /** Print user and org ids as they are; without it they become 'user 1', 'org 1' … @default false */
  includeIds?: boolean;
  /** The current time, epoch milliseconds. @default Date.now() */
  now?: number;
}

/** One line of a chart: a skill's value on each day of {@link DailySeries.days}, null where it had no calls. */
export interface SkillSeries {
  readonly skillId: string;
  readonly values: (number | null)[];
}

/** Values per skill per UTC day. */
export interface DailySeries {
  /** Every day of the window, 'YYYY-MM-DD'. */
  readonly days: string[];
  readonly series: SkillSeries[];
}

/** Everything the page shows: the one JSON document embedded in it. */
export interface ReportDocument {
  readonly generatedAt: string;
  readonly window: { readonly label: string; readonly from: string; readonly to: string };
  /** The org (a pseudonym without includeIds) and agent the report is narrowed to; null for all. */
  readonly scope: { readonly org: string | null; readonly agent: string | null };
  readonly overview: {
    readonly calls: number;
    readonly successRate: number | null;
    /** The highest p95 of any skill, ms: the whole window's p95 is not derivable from per-skill buckets here. */
    readonly slowestP95: { readonly skillId: string; readonly ms: number } | null;
    readonly activeUsers: number;
    readonly scoredSkills: number;
    readonly averageHealth: number | null;
    readonly lowestHealth: { readonly skillId: string; readonly score: number } | null;
  };
  /** Executions per skill per day (usageTrend, granularity 'day'). */
  readonly usage: DailySeries;
  /** Success rate per skill per day, 0 to 1 (successRateByDay). */
  readonly successRate: DailySeries;
  readonly latency: SkillLatencyReport[];
  readonly leaderboards: { readonly metric: LeaderboardMetric; readonly entries: LeaderboardEntry[] }[];
  readonly health: SkillHealthReport[];
  readonly adoption: AdoptionReport;
  readonly recommendations: {
    readonly window: string;
    readonly logged: number;
    readonly overall: EffectivenessFigures;
    readonly bySource: { readonly co_usage: EffectivenessFigures; readonly trending: EffectivenessFigures };
    /** What each user of `userIds` would be recommended now (not logged), the user as a pseudonym unless includeIds. */
    readonly perUser: { readonly user: string; readonly recommendations: Unlogged[] }[];
  };
}

/**
 * Runs the reports over `db` for one window and scope and gathers their answers into the page's
 * document. No user id is read into it, and the org id only as a pseudonym unless `includeIds`.
 */
export function reportDocument(db: Database.Database, options: HtmlReportOptions = {}): ReportDocument {
  const now = options.now ?? Date.now();
  const window = resolveWindow(options.window ?? '7d', now);
  const calls = { window: options.window ?? '7d', orgId: options.orgId, agentName: options.agentName, now };
  const perUser = { window: calls.window, orgId: options.orgId, now };
  const pseudonyms = new Pseudonyms(options.includeIds === true);
  const days = daysOf(window);
  const latency = latencyReport(db, calls);
  const health = healthReport(db, calls);
  const adoption = adoptionReport(db, perUser);
  const effectiveness = recommendationEffectiveness(db, perUser);
  return {
    generatedAt: sqliteTime(now),
    window: { label: window.label, from: window.from, to: window.to },
    scope: { org: pseudonyms.of('org', options.orgId) ?? null, agent: options.agentName ?? null },
    overview: overview(latency, health, adoption),
    usage: daily(days, usageTrend(db, { ...calls, granularity: 'day' }), (point) => [point.bucket, point.executions]),
    successRate: daily(days, successRateByDay(db, calls), (point) => [point.day, point.successRate]),
    latency,
    leaderboards: LEADERBOARD_METRICS.map((metric) => ({ metric, entries: leaderboard(db, { ...calls, metric }).entries })),
    health,
    adoption,
    recommendations: {
      window: effectiveness.window,
      logged: effectiveness.logged,
      overall: {
        recommended: effectiveness.recommended,
        used: effectiveness.used,
        rate: effectiveness.rate,
        outcomes: effectiveness.outcomes,
      },
      bySource: effectiveness.bySource,
      perUser: (options.userIds ?? []).map((userId) => ({
        user: pseudonyms.of('user', userId),
        recommendations: previewRecommendations(db, { ...perUser, window: undefined, userId }),
      })),
    },
  };
}

function daysOf(window: { from: string; to: string }): string[] {
  const { fromDay, toDay } = dayRange(window);
  const days: string[] = [];
  for (let ms = timeMs(fromDay); ms < timeMs(toDay); ms += 86_400_000) days.push(sqliteTime(ms).slice(0, 10));
  return days;
}

function daily<T extends { skillId: string }>(days: string[], points: readonly T[], pick: (point: T) => [string, number]): DailySeries {
  const index = new Map(days.map((day, i) => [day, i]));
  const bySkill = new Map<string, (number | null)[]>();
  for (const point of points) {
    const values = bySkill.get(point.skillId) ?? days.map(() => null);
    bySkill.set(point.skillId, values);
    const [day, value] = pick(point);
    const at = index.get(day);
    if (at !== undefined) values[at] = value;
  }
  return { days, series: [...bySkill].map(([skillId, values]) => ({ skillId, values })) };
}

function overview(
  latency: readonly SkillLatencyReport[],
  health: readonly SkillHealthReport[],
  adoption: AdoptionReport,
): ReportDocument['overview'] {
  const calls = latency.reduce((sum, skill) => sum + skill.calls, 0);
  const failures = latency.reduce((sum, skill) => sum + Object.values(skill.errors).reduce((a, b) => a + b, 0), 0);
  const timed = latency.filter((skill) => skill.p95 !== null);
  const slowest = timed.reduce<SkillLatencyReport | undefined>(
    (top, skill) => (top === undefined || skill.p95! > top.p95! ? skill : top),
    undefined,
  );
  const scored = health.filter((skill) => skill.score !== undefined);
  const lowest = scored.reduce<SkillHealthReport | undefined>(
    (low, skill) => (low === undefined || skill.score! < low.score! ? skill : low),
    undefined,
  );
  return {
    calls,
    successRate: calls === 0 ? null : (calls - failures) / calls,
    slowestP95: slowest === undefined ? null : { skillId: slowest.skillId, ms: slowest.p95! },
    activeUsers: adoption.users,
    scoredSkills: scored.length,
    averageHealth: scored.length === 0 ? null : scored.reduce((sum, skill) => sum + skill.score!, 0) / scored.length,
    lowestHealth: lowest === undefined ? null : { skillId: lowest.skillId, score: lowest.score! },
  };
}
