import type Database from 'better-sqlite3';
import { sqliteOnly } from './prometheus/sqliteOnly.js';
import { isPrometheusSource } from './prometheus/isPrometheusSource.js';
import type { PrometheusSource } from './prometheus/PrometheusSource.js';
import { storeBuckets, storeGrowth } from './prometheus/storeTrends.js';
import { skillOrgs, type SkillOrgs } from './hourlyKeys.js';
import { countsBySkill } from './hourlyTotals.js';
import { oneOfOption, reportScope, type CallReportOptions, type ReportOptions } from './reportScope.js';
import { prepared } from './statements.js';
import { BY_DAY_THROUGH } from '../store/schema.js';
import { byDays, dayRange, type TimeRange } from './window.js';

/** The buckets of {@link usageTrend}. */
export const TREND_GRANULARITIES = Object.freeze(['hour', 'day', 'week'] as const);

/** One of {@link TREND_GRANULARITIES}. */
export type TrendGranularity = (typeof TREND_GRANULARITIES)[number];

/** Options of {@link usageTrend}. */
export interface UsageTrendOptions extends CallReportOptions {
  /** Bucket size: 'hour', 'day' or 'week' (ISO weeks, starting Monday, UTC). */
  granularity: TrendGranularity;
  /** Only these skills. @default every skill */
  skillIds?: readonly string[];
}

/** Calls of one skill in one bucket. */
export interface UsagePoint {
  skillId: string;
  /** 'YYYY-MM-DD HH:00:00' for hours, 'YYYY-MM-DD' for days and for weeks (the Monday). */
  bucket: string;
  executions: number;
  successes: number;
  failures: number;
  /** Only from a Prometheus source: a counter of the skill was reset in it, so the counts are estimates (docs/fleet.md). */
  estimate?: boolean;
}

/** Calls and success rate of one skill on one day. */
export interface SuccessRatePoint {
  skillId: string;
  day: string;
  calls: number;
  /** successes / calls, 0 to 1. */
  successRate: number;
  /** Only from a Prometheus source: a counter of the skill was reset in it, so the counts are estimates (docs/fleet.md). */
  estimate?: boolean;
}

/** New and cumulative distinct users of one skill on one day. */
export interface AdoptionPoint {
  skillId: string;
  day: string;
  /** Users whose first use of the skill was this day. */
  newUsers: number;
  /** Users who had used the skill by the end of this day, since records began. */
  cumulativeUsers: number;
}

/** Calls of one skill in the window and in the window of the same length before it. */
export interface GrowthRow {
  skillId: string;
  calls: number;
  previousCalls: number;
  /** (calls - previousCalls) / previousCalls; null when previousCalls is 0. */
  growthRate: number | null;
  /** Only from a Prometheus source: a counter of the skill was reset in it, so the counts are estimates (docs/fleet.md). */
  estimate?: boolean;
}

/** A bucket as SQL over the hourly rows and, for buckets of whole days, over the day rows. */
interface Bucket {
  readonly hourly: string;
  readonly daily?: string;
}

const BUCKETS: Readonly<Record<TrendGranularity, Bucket>> = Object.freeze({
  hour: { hourly: 'hour' },
  day: { hourly: 'substr(hour, 1, 10)', daily: 'day' },
  // The Monday on or before the day: back 6 days, then forward to the next Monday.
  week: { hourly: "date(hour, '-6 days', 'weekday 1')", daily: "date(day, '-6 days', 'weekday 1')" },
});

/**
 * Calls per bucket of one skill in its orgs over a range of hourly rows, or of day rows with
 * `time` 'day'; with `byAgent`, of one agent (a parameter after the range).
 */
const bucketSql = (bucket: string, byAgent = false, time: 'hour' | 'day' = 'hour'): string =>
  `SELECT ${bucket} AS bucket, sum(execution_count), sum(success_count), sum(failure_count)
FROM ${time === 'hour' ? 'skill_usage_hourly' : 'skill_usage_by_day'} WHERE skill_id = ? AND org_id IN (SELECT value FROM json_each(?)) AND ${time} >= ? AND ${time} < ?${byAgent ? ' AND agent_name = ?' : ''}
GROUP BY bucket ORDER BY bucket`;

const NEXT_ADOPTED_SKILL = 'SELECT skill_id FROM skill_user_first WHERE skill_id > ? ORDER BY skill_id LIMIT 1';
const NEW_USERS = 'SELECT first_day, count(*) FROM skill_user_first WHERE skill_id = ? AND first_day < ? GROUP BY first_day';
const NEW_USERS_OF_ORG =
  'SELECT first_day, count(*) FROM skill_user_first WHERE skill_id = ? AND first_day < ? AND org_id = ? GROUP BY first_day';

/** The statements of this module, for the query-plan test. */
export const TREND_SQL: readonly string[] = Object.freeze([
  ...Object.values(BUCKETS).flatMap(({ hourly, daily }) => [
    bucketSql(hourly),
    bucketSql(hourly, true),
    ...(daily === undefined ? [] : [bucketSql(daily, false, 'day'), bucketSql(daily, true, 'day')]),
  ]),
  NEXT_ADOPTED_SKILL,
  NEW_USERS,
  NEW_USERS_OF_ORG,
]);

/**
 * Executions, successes and failures per skill per hour, day or week of the window, by skill then
 * bucket; buckets without calls are left out. The first and last day or week may be partial: the
 * window is counted by the hour. Reads skill_usage_by_day for the whole closed days of day and week
 * buckets, skill_usage_hourly for the rest.
 * @throws {TypeError|RangeError} on an unknown granularity, bad skill ids, a malformed window or option.
 */
export function usageTrend(db: Database.Database, options: UsageTrendOptions): UsagePoint[];
/** The same trend from a Prometheus store's query API (docs/fleet.md): two requests. */
export function usageTrend(source: PrometheusSource, options: UsageTrendOptions): Promise<UsagePoint[]>;
export function usageTrend(from: Database.Database | PrometheusSource, options: UsageTrendOptions): UsagePoint[] | Promise<UsagePoint[]> {
  const caller = 'usageTrend';
  const scope = reportScope(caller, options, from);
  const granularity = oneOfOption(caller, 'granularity', options?.granularity, TREND_GRANULARITIES);
  const skillIds = skillIdsOption(caller, options?.skillIds);
  if (isPrometheusSource(from)) return storeBuckets(from, scope, granularity, skillIds);
  const db = from;
  const { window, orgId, agentName } = scope;
  const skills = skillOrgs(db, { orgId, agentName }, skillIds);
  return bucketed(db, skills, window, BUCKETS[granularity]);
}

/**
 * Calls and success rate (successes / calls) per skill per UTC day of the window, by skill then
 * day; days without calls are left out. Reads skill_usage_by_day and skill_usage_hourly.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function successRateByDay(db: Database.Database, options?: CallReportOptions): SuccessRatePoint[];
/** The same days from a Prometheus store's query API (docs/fleet.md): two requests. */
export function successRateByDay(source: PrometheusSource, options?: CallReportOptions): Promise<SuccessRatePoint[]>;
export function successRateByDay(
  from: Database.Database | PrometheusSource,
  options?: CallReportOptions,
): SuccessRatePoint[] | Promise<SuccessRatePoint[]> {
  const scope = reportScope('successRateByDay', options, from);
  const toRate = (point: UsagePoint): SuccessRatePoint => ({
    skillId: point.skillId,
    day: point.bucket,
    calls: point.executions,
    successRate: point.successes / point.executions,
    ...(point.estimate === undefined ? {} : { estimate: point.estimate }),
  });
  if (isPrometheusSource(from)) return storeBuckets(from, scope, 'day').then((points) => points.map(toRate));
  const { window, orgId, agentName } = scope;
  return bucketed(from, skillOrgs(from, { orgId, agentName }), window, BUCKETS.day).map(toRate);
}

/**
 * Adoption curves: per skill, each day of the window on which users used it for the first time,
 * with how many, and the distinct users it had by the end of that day since records began. From
 * skill_user_first (never pruned); with `orgId`, users whose first use was in that org. Days
 * without new users are left out (the curve is flat there). Per-user records have no agent: it
 * takes no `agentName`.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function adoptionCurve(db: Database.Database, options?: ReportOptions): AdoptionPoint[] {
  sqliteOnly('adoptionCurve', db);
  const { window, orgId } = reportScope('adoptionCurve', options);
  const { fromDay, toDay } = dayRange(window);
  const next = prepared<[string], string>(db, NEXT_ADOPTED_SKILL).pluck(true);
  const points: AdoptionPoint[] = [];
  for (let skillId = next.get(''); skillId !== undefined; skillId = next.get(skillId)) {
    let cumulativeUsers = 0;
    for (const [day, newUsers] of newUsersByDay(db, skillId, toDay, orgId)) {
      cumulativeUsers += newUsers;
      if (day >= fromDay) points.push({ skillId, day, newUsers, cumulativeUsers });
    }
  }
  return points;
}

/**
 * Calls per skill in the window and in the previous window of the same length, with the growth
 * rate `(calls - previousCalls) / previousCalls` (null when previousCalls is 0), most called first.
 * Reads skill_usage_hourly only.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function growth(db: Database.Database, options?: CallReportOptions): GrowthRow[];
/** The same rows from a Prometheus store's query API (docs/fleet.md): two requests. */
export function growth(source: PrometheusSource, options?: CallReportOptions): Promise<GrowthRow[]>;
export function growth(from: Database.Database | PrometheusSource, options?: CallReportOptions): GrowthRow[] | Promise<GrowthRow[]> {
  const scope = reportScope('growth', options, from);
  if (isPrometheusSource(from)) {
    return storeGrowth(from, scope).then((rows) =>
      rows
        .filter((row) => row.calls > 0 || row.previousCalls > 0)
        .map((row) => ({ ...row, growthRate: growthRate(row.calls, row.previousCalls), estimate: row.estimate }))
        .sort(byCalls),
    );
  }
  const db = from;
  const { window, orgId, agentName } = scope;
  const skills = skillOrgs(db, { orgId, agentName });
  const current = countsBySkill(db, skills, window);
  const previous = countsBySkill(db, skills, window.previous);
  const rows: GrowthRow[] = [];
  for (const skillId of new Set([...current.keys(), ...previous.keys()])) {
    const calls = current.get(skillId)?.calls ?? 0;
    const previousCalls = previous.get(skillId)?.calls ?? 0;
    if (calls === 0 && previousCalls === 0) continue;
    rows.push({ skillId, calls, previousCalls, growthRate: growthRate(calls, previousCalls) });
  }
  return rows.sort(byCalls);
}

function byCalls(a: GrowthRow, b: GrowthRow): number {
  return b.calls - a.calls || (a.skillId < b.skillId ? -1 : 1);
}

/** `(calls - previousCalls) / previousCalls`, or null when there were no previous calls. */
export function growthRate(calls: number, previousCalls: number): number | null {
  return previousCalls > 0 ? (calls - previousCalls) / previousCalls : null;
}

type BucketRow = [string, number, number, number];

/**
 * Per skill (in skill order) its buckets in order, summed over its orgs by SQLite: from the day
 * rows of the whole closed days when the buckets are whole days, from the hourly rows otherwise.
 */
function bucketed(db: Database.Database, skills: readonly SkillOrgs[], range: TimeRange, bucket: Bucket): UsagePoint[] {
  const { days, hours } =
    bucket.daily === undefined
      ? { days: undefined, hours: [range] }
      : byDays(range, prepared<[], string>(db, `SELECT ${BY_DAY_THROUGH}`).pluck(true).get());
  const points: UsagePoint[] = [];
  for (const { skillId, orgIds, agentName } of skills) {
    const byAgent = agentName === undefined ? [] : [agentName];
    const orgs = JSON.stringify(orgIds);
    const hourly = prepared<string[], BucketRow>(db, bucketSql(bucket.hourly, byAgent.length > 0)).raw(true);
    const rows = hours.flatMap((part) => hourly.all(skillId, orgs, part.from, part.to, ...byAgent));
    if (days !== undefined && bucket.daily !== undefined) {
      const daily = prepared<string[], BucketRow>(db, bucketSql(bucket.daily, byAgent.length > 0, 'day')).raw(true);
      rows.push(...daily.all(skillId, orgs, days.fromDay, days.toDay, ...byAgent));
    }
    const sums = new Map<string, BucketRow>();
    for (const [at, executions, successes, failures] of rows) {
      const sum = sums.get(at);
      if (sum === undefined) sums.set(at, [at, executions, successes, failures]);
      else sums.set(at, [at, sum[1] + executions, sum[2] + successes, sum[3] + failures]);
    }
    for (const [at, executions, successes, failures] of [...sums.values()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (executions > 0) points.push({ skillId, bucket: at, executions, successes, failures });
    }
  }
  return points;
}

function newUsersByDay(db: Database.Database, skillId: string, toDay: string, orgId: string | undefined): [string, number][] {
  if (orgId === undefined) return prepared<[string, string], [string, number]>(db, NEW_USERS).raw(true).all(skillId, toDay);
  return prepared<[string, string, string], [string, number]>(db, NEW_USERS_OF_ORG).raw(true).all(skillId, toDay, orgId);
}

function skillIdsOption(caller: string, skillIds: unknown): string[] | undefined {
  if (skillIds === undefined) return undefined;
  if (Array.isArray(skillIds) && skillIds.every((id) => typeof id === 'string' && id !== ''))
    return [...new Set(skillIds as string[])].sort();
  throw new TypeError(`${caller}: option "skillIds" must be an array of skill ids (non-empty strings), got ${JSON.stringify(skillIds)}`);
}
