import type Database from 'better-sqlite3';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS, columnsOf } from '../instruments/perCallColumns.js';
import { BY_DAY_THROUGH } from '../store/schema.js';
import { childMap } from '../core/childMap.js';
import type { SkillOrgs } from './hourlyKeys.js';
import { prepared } from './statements.js';
import { byDays, type TimeRange } from './window.js';

/** Calls and outcomes of one skill over a range, summed from skill_usage_hourly. */
export interface SkillCalls {
  /** execution_count: calls that finished. */
  calls: number;
  successes: number;
  failures: number;
}

/** {@link SkillCalls} with the ratings and installs of the range. */
export interface SkillCounts extends SkillCalls {
  ratingCount: number;
  /** The stars of those ratings added up. */
  ratingSum: number;
  installs: number;
}

/** {@link SkillCalls} with the latency buckets: what the health score needs. */
export interface SkillTimings extends SkillCalls {
  /** Calls per latency bucket over `latencyBounds`, `+Inf` last (not cumulative). */
  latencyBuckets: number[];
  /** The buckets' finite upper bounds, ms; absent for LATENCY_BOUNDARIES_MS (a store's histogram may have a View's). */
  latencyBounds?: readonly number[];
}

/** {@link SkillTimings} with the failures by type. */
export interface SkillLatency extends SkillTimings {
  /** Failures per type, in ERROR_TYPES order. */
  errors: number[];
  /** latency_sum_ms: the latencies of the timed calls added up, ms. */
  latencySumMs: number;
}

const CALLS = columnsOf(['executions', 'successes', 'failures']);
const BUCKETS_END = CALLS.length + LATENCY_BUCKET_COLUMNS.length;

/**
 * One skill over one range: a seek to each of its orgs' contiguous primary-key ranges; with
 * `byAgent`, the rows of one agent among them (a parameter after the range). Only the columns a
 * report needs are summed: summing is most of the cost.
 */
const rangeSql = (columns: readonly string[], table: 'skill_usage_hourly' | 'skill_usage_by_day', byAgent: boolean): string => {
  const time = table === 'skill_usage_hourly' ? 'hour' : 'day';
  return `SELECT count(*), ${columns.map((column) => `coalesce(sum(${column}), 0)`).join(', ')} FROM ${table}
WHERE skill_id = ? AND org_id IN (SELECT value FROM json_each(?)) AND ${time} >= ? AND ${time} < ?${byAgent ? ' AND agent_name = ?' : ''}`;
};

/** The same sums from the hourly rows and from the day rows, of every agent and of one. */
interface RangeSums {
  readonly hours: string;
  readonly days: string;
  readonly agentHours: string;
  readonly agentDays: string;
}

const sumsOf = (columns: readonly string[]): RangeSums => ({
  hours: rangeSql(columns, 'skill_usage_hourly', false),
  days: rangeSql(columns, 'skill_usage_by_day', false),
  agentHours: rangeSql(columns, 'skill_usage_hourly', true),
  agentDays: rangeSql(columns, 'skill_usage_by_day', true),
});

/** The same sums per agent, one row each: `agent_name` first, then as {@link rangeSql}. */
const perAgentSql = (columns: readonly string[], table: 'skill_usage_hourly' | 'skill_usage_by_day'): string =>
  `${rangeSql(columns, table, false).replace(/^SELECT /, 'SELECT agent_name, ')}\nGROUP BY agent_name`;

/** Sums per agent from the hourly rows and from the day rows. */
interface PerAgentSums {
  readonly hours: string;
  readonly days: string;
}

const perAgentSumsOf = (columns: readonly string[]): PerAgentSums => ({
  hours: perAgentSql(columns, 'skill_usage_hourly'),
  days: perAgentSql(columns, 'skill_usage_by_day'),
});

const COUNT_COLUMNS = [...CALLS, ...columnsOf(['ratingCount', 'ratingSum', 'installs'])];
const TIMING_COLUMNS = [...CALLS, ...LATENCY_BUCKET_COLUMNS];
const COUNTS_SQL = sumsOf(COUNT_COLUMNS);
const TIMINGS_SQL = sumsOf(TIMING_COLUMNS);
const COUNTS_BY_AGENT_SQL = perAgentSumsOf(COUNT_COLUMNS);
const TIMINGS_BY_AGENT_SQL = perAgentSumsOf(TIMING_COLUMNS);
const LATENCY_SQL = sumsOf([...CALLS, ...LATENCY_BUCKET_COLUMNS, ...ERROR_COLUMNS, 'latency_sum_ms']);
const ERRORS_END = BUCKETS_END + ERROR_COLUMNS.length;

/** The latest hour with calls of one skill and org: a backwards walk of its range that stops at the first such row. */
const LAST_CALL_SQL =
  'SELECT hour FROM skill_usage_hourly WHERE skill_id = ? AND org_id = ? AND execution_count > 0 ORDER BY hour DESC LIMIT 1';
/** The earliest hour with calls of one skill and org. */
const FIRST_CALL_SQL =
  'SELECT hour FROM skill_usage_hourly WHERE skill_id = ? AND org_id = ? AND execution_count > 0 ORDER BY hour LIMIT 1';
/**
 * The latest hour with calls of one skill by one agent, from the raw rows through the agent's
 * index (an agent that never called the skill costs one seek, where the hourly rows of every other
 * agent would be walked); the raw rows are pruned with the hourly ones. `org_id IS ?` with null
 * for none, as skill_usage keeps it.
 */
const LAST_AGENT_CALL_SQL = `SELECT substr(timestamp, 1, 13) || ':00:00' FROM skill_usage
WHERE agent_name = ? AND agent_name <> '' AND skill_id = ? AND execution_count > 0 ORDER BY timestamp DESC LIMIT 1`;
const LAST_AGENT_CALL_IN_ORG_SQL = `SELECT substr(timestamp, 1, 13) || ':00:00' FROM skill_usage
WHERE agent_name = ? AND agent_name <> '' AND skill_id = ? AND org_id = ? AND execution_count > 0 ORDER BY timestamp DESC LIMIT 1`;

/** The statements of this module, for the query-plan test. */
export const TOTALS_SQL: readonly string[] = Object.freeze([
  ...[COUNTS_SQL, TIMINGS_SQL, LATENCY_SQL].flatMap((sums) => [sums.hours, sums.days, sums.agentHours, sums.agentDays]),
  ...[COUNTS_BY_AGENT_SQL, TIMINGS_BY_AGENT_SQL].flatMap((sums) => [sums.hours, sums.days]),
  LAST_CALL_SQL,
  FIRST_CALL_SQL,
  LAST_AGENT_CALL_SQL,
  LAST_AGENT_CALL_IN_ORG_SQL,
]);

/** Calls, outcomes, ratings and installs per skill over `range`; skills without rows in it are absent. */
export function countsBySkill(db: Database.Database, skills: readonly SkillOrgs[], range: TimeRange): Map<string, SkillCounts> {
  return sumBySkill(db, COUNTS_SQL, skills, range, counts);
}

/** Calls, outcomes and latency buckets per skill over `range`. */
export function timingsBySkill(db: Database.Database, skills: readonly SkillOrgs[], range: TimeRange): Map<string, SkillTimings> {
  return sumBySkill(db, TIMINGS_SQL, skills, range, timings);
}

/**
 * {@link countsBySkill} of every agent at once ('' for calls without one), by agent: one read of
 * the rows, where one agent at a time reads them all for each. `skills` are read for every agent.
 */
export function countsByAgent(
  db: Database.Database,
  skills: readonly SkillOrgs[],
  range: TimeRange,
): Map<string, Map<string, SkillCounts>> {
  return sumByAgent(db, COUNTS_BY_AGENT_SQL, skills, range, counts);
}

/** {@link timingsBySkill} of every agent at once, by agent. */
export function timingsByAgent(
  db: Database.Database,
  skills: readonly SkillOrgs[],
  range: TimeRange,
): Map<string, Map<string, SkillTimings>> {
  return sumByAgent(db, TIMINGS_BY_AGENT_SQL, skills, range, timings);
}

/** Calls, outcomes, latency buckets, failures by type and the latency sum per skill over `range`. */
export function latencyBySkill(db: Database.Database, skills: readonly SkillOrgs[], range: TimeRange): Map<string, SkillLatency> {
  return sumBySkill(db, LATENCY_SQL, skills, range, (values) => ({
    ...timings(values),
    errors: values.slice(BUCKETS_END, ERRORS_END),
    latencySumMs: values[ERRORS_END] ?? 0,
  }));
}

/**
 * The latest hour ('YYYY-MM-DD HH:00:00') in which the skill had a call in any of its orgs (of its
 * agent, when narrowed to one), or null. `orgId`: the org the orgs were narrowed to, if any.
 */
export function lastCallHour(db: Database.Database, skill: SkillOrgs, orgId?: string): string | null {
  if (skill.agentName === undefined) return extremeHour(db, LAST_CALL_SQL, skill, (a, b) => a > b);
  const hour =
    orgId === undefined
      ? prepared<[string, string], string>(db, LAST_AGENT_CALL_SQL).pluck(true).get(skill.agentName, skill.skillId)
      : prepared<[string, string, string], string>(db, LAST_AGENT_CALL_IN_ORG_SQL).pluck(true).get(skill.agentName, skill.skillId, orgId);
  return hour ?? null;
}

/** The earliest hour in which the skill had a call in any of its orgs, of any agent, or null. */
export function firstCallHour(db: Database.Database, skill: SkillOrgs): string | null {
  return extremeHour(db, FIRST_CALL_SQL, skill, (a, b) => a < b);
}

function counts(values: number[]): SkillCounts {
  const [calls = 0, successes = 0, failures = 0, ratingCount = 0, ratingSum = 0, installs = 0] = values;
  return { calls, successes, failures, ratingCount, ratingSum, installs };
}

function timings(values: number[]): SkillTimings {
  const [calls = 0, successes = 0, failures = 0] = values;
  return { calls, successes, failures, latencyBuckets: values.slice(CALLS.length, BUCKETS_END) };
}

function extremeHour(db: Database.Database, sql: string, skill: SkillOrgs, better: (a: string, b: string) => boolean): string | null {
  const statement = prepared<[string, string], string>(db, sql).pluck(true);
  let best: string | null = null;
  for (const orgId of skill.orgIds) {
    const hour = statement.get(skill.skillId, orgId);
    if (hour !== undefined && (best === null || better(hour, best))) best = hour;
  }
  return best;
}

/**
 * Sums per skill over `range`: the day rows of its whole closed days (skill_usage_by_day holds the
 * hourly rows of each closed day added up), the hourly rows of the rest.
 */
function sumBySkill<T>(
  db: Database.Database,
  sql: RangeSums,
  skills: readonly SkillOrgs[],
  range: TimeRange,
  toTotals: (values: number[]) => T,
): Map<string, T> {
  const { days, hours } = byDays(range, prepared<[], string>(db, `SELECT ${BY_DAY_THROUGH}`).pluck(true).get());
  const bySkill = new Map<string, T>();
  for (const { skillId, orgIds, agentName } of skills) {
    const byAgent = agentName === undefined ? [] : [agentName];
    const hourly = prepared<string[], number[]>(db, byAgent.length === 0 ? sql.hours : sql.agentHours).raw(true);
    const daily = prepared<string[], number[]>(db, byAgent.length === 0 ? sql.days : sql.agentDays).raw(true);
    const orgs = JSON.stringify(orgIds);
    const parts = hours.map((part) => hourly.get(skillId, orgs, part.from, part.to, ...byAgent));
    if (days !== undefined) parts.push(daily.get(skillId, orgs, days.fromDay, days.toDay, ...byAgent));
    const [rows = 0, ...values] = addUp(parts);
    if (rows > 0) bySkill.set(skillId, toTotals(values));
  }
  return bySkill;
}

/** {@link sumBySkill} per agent, from one read of the rows: agent, then skill. */
function sumByAgent<T>(
  db: Database.Database,
  sql: PerAgentSums,
  skills: readonly SkillOrgs[],
  range: TimeRange,
  toTotals: (values: number[]) => T,
): Map<string, Map<string, T>> {
  const hourly = prepared<string[], [string, ...number[]]>(db, sql.hours).raw(true);
  const daily = prepared<string[], [string, ...number[]]>(db, sql.days).raw(true);
  const { days, hours } = byDays(range, prepared<[], string>(db, `SELECT ${BY_DAY_THROUGH}`).pluck(true).get());
  const byAgent = new Map<string, Map<string, T>>();
  for (const { skillId, orgIds } of skills) {
    const orgs = JSON.stringify(orgIds);
    const parts = hours.flatMap((part) => hourly.all(skillId, orgs, part.from, part.to));
    if (days !== undefined) parts.push(...daily.all(skillId, orgs, days.fromDay, days.toDay));
    const sums = new Map<string, number[]>();
    for (const [agentName, ...values] of parts) sums.set(agentName, addUp([sums.get(agentName), values]));
    for (const [agentName, [rows = 0, ...values]] of sums) if (rows > 0) childMap(byAgent, agentName).set(skillId, toTotals(values));
  }
  return byAgent;
}

/** Adds rows of sums column by column. */
function addUp(parts: readonly (number[] | undefined)[]): number[] {
  const [first, ...rest] = parts;
  const total = [...(first ?? [])];
  for (const part of rest) part?.forEach((value, i) => (total[i] = (total[i] ?? 0) + value));
  return total;
}
