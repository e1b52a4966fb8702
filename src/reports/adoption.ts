import type Database from 'better-sqlite3';
import { sqliteOnly } from './prometheus/sqliteOnly.js';
import { skillOrgs, type SkillOrgs } from './hourlyKeys.js';
import { reportScope, wholeNumberOption, type ReportOptions } from './reportScope.js';
import { prepared } from './statements.js';
import { dayRange, type DayRange, type TimeRange } from './window.js';

/** Options of {@link adoptionReport}. */
export interface AdoptionOptions extends ReportOptions {
  /** Days with activity in the window that make a user engaged, 1 or more. @default 3 */
  engagedDays?: number;
}

/** How far one skill has spread. */
export interface SkillAdoption {
  skillId: string;
  /** Distinct users with activity on the skill in the window. */
  users: number;
  /** Distinct orgs with activity on the skill in the window. */
  orgs: number;
  /** orgs / totalOrgs, 0 to 1; null when no org was active. */
  orgAdoptionRate: number | null;
}

/** Who uses what, over one window. */
export interface AdoptionReport {
  /** Distinct users with any activity in the window. */
  users: number;
  /** How many users used how many distinct skills, by skills ascending. */
  skillsPerUser: { skills: number; users: number }[];
  /** Per skill, most users first. */
  skills: SkillAdoption[];
  /** Distinct orgs with any activity in the window. */
  totalOrgs: number;
  /** Users active on at least `engagedDays` distinct days of the window. */
  engagedUsers: number;
  /** Mean distinct active days per active user; 0 without users. */
  averageActiveDays: number;
}

/** The defaults of {@link AdoptionOptions}. */
export const ADOPTION_DEFAULTS = Object.freeze({ engagedDays: 3 });

// Each statement reads the window's entries of one index range and returns a few dozen rows: the
// grouping happens in SQLite, because handing the ~100,000 user-skill-days of a busy week to
// JavaScript costs more than the whole report. A skill_user_daily row whose prev_day is before the
// window is its skill and user's first day in the window, one row per pair (prev_day_in_org: per
// pair within its org): counting those rows counts the pairs, without the sort a DISTINCT needs.
// INDEXED BY: with statistics (PRAGMA optimize) SQLite would rather skip along the user index, to
// group without a sort, and fetch every row from the table (measured 5 times slower).

/** How many users were active on how many days: one row per number of days. */
const USERS_BY_DAYS = `SELECT days, count(*) FROM (
  SELECT count(*) AS days FROM (SELECT DISTINCT day, user_id FROM user_daily WHERE day >= ? AND day < ?) GROUP BY user_id
) GROUP BY days`;
const USERS_BY_DAYS_IN_ORG = `SELECT days, count(*) FROM (
  SELECT count(*) AS days FROM user_daily WHERE day >= ? AND day < ? AND org_id = ? GROUP BY user_id
) GROUP BY days`;

/** How many users used how many skills: one row per number of skills. */
const USERS_BY_SKILLS = `SELECT skills, count(*) FROM (
  SELECT count(*) AS skills FROM skill_user_daily INDEXED BY ix_skill_user_daily_day
  WHERE day >= ? AND day < ? AND prev_day < ? GROUP BY user_id
) GROUP BY skills`;
const USERS_BY_SKILLS_IN_ORG = `SELECT skills, count(*) FROM (
  SELECT count(*) AS skills FROM skill_user_daily INDEXED BY ix_skill_user_daily_day
  WHERE day >= ? AND day < ? AND org_id = ? AND prev_day_in_org < ? GROUP BY user_id
) GROUP BY skills`;

/** Users per skill. Grouped by day and skill first, the index's own order, so only the day totals are sorted. */
const SKILL_USERS = `SELECT skill_id, sum(users) FROM (
  SELECT skill_id, count(*) AS users FROM skill_user_daily INDEXED BY ix_skill_user_daily_day
  WHERE day >= ? AND day < ? AND prev_day < ? GROUP BY day, skill_id
) GROUP BY skill_id`;
const SKILL_USERS_IN_ORG = `SELECT skill_id, sum(users) FROM (
  SELECT skill_id, count(*) AS users FROM skill_user_daily INDEXED BY ix_skill_user_daily_day
  WHERE day >= ? AND day < ? AND org_id = ? AND prev_day_in_org < ? GROUP BY day, skill_id
) GROUP BY skill_id`;

/** Whether a skill and org have any row in the window: one seek. */
const PAIR_ACTIVE = 'SELECT EXISTS (SELECT 1 FROM skill_usage_hourly WHERE skill_id = ? AND org_id = ? AND hour >= ? AND hour < ?)';

/** The statements of this module, for the query-plan test. */
export const ADOPTION_SQL: readonly string[] = Object.freeze([
  USERS_BY_DAYS,
  USERS_BY_DAYS_IN_ORG,
  USERS_BY_SKILLS,
  USERS_BY_SKILLS_IN_ORG,
  SKILL_USERS,
  SKILL_USERS_IN_ORG,
  PAIR_ACTIVE,
]);

/**
 * Adoption over the window. Users come from skill_user_daily and user_daily (identified users; a
 * call, a rating or an install on a day counts as activity that day; the days the window touches,
 * partial ones included); orgs from skill_usage_hourly (any activity of the org in the window,
 * identified or not). With `orgId`, only that org: then totalOrgs is 0 or 1.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function adoptionReport(db: Database.Database, options?: AdoptionOptions): AdoptionReport {
  const caller = 'adoptionReport';
  sqliteOnly(caller, db);
  const { window, orgId } = reportScope(caller, options);
  const engagedDays = wholeNumberOption(caller, 'engagedDays', options?.engagedDays, 1, ADOPTION_DEFAULTS.engagedDays);
  const counts = userCounts(db, dayRange(window), orgId);
  const orgsBySkill = activeOrgs(db, skillOrgs(db, { orgId }), window);
  const totalOrgs = new Set([...orgsBySkill.values()].flatMap((orgs) => [...orgs])).size;
  const users = sum(counts.byDays.map(([, count]) => count));
  return {
    users,
    skillsPerUser: counts.bySkills.sort(([a], [b]) => a - b).map(([skills, count]) => ({ skills, users: count })),
    skills: skillAdoption(new Map(counts.perSkill), orgsBySkill, totalOrgs),
    totalOrgs,
    engagedUsers: sum(counts.byDays.filter(([activeDays]) => activeDays >= engagedDays).map(([, count]) => count)),
    averageActiveDays: users === 0 ? 0 : sum(counts.byDays.map(([activeDays, count]) => activeDays * count)) / users,
  };
}

/** How many users were active in the days, as counted by the statements above. */
interface UserCounts {
  /** [active days, users with that many]. */
  readonly byDays: [number, number][];
  /** [distinct skills, users with that many]. */
  readonly bySkills: [number, number][];
  /** [skill, its users]. */
  readonly perSkill: [string, number][];
}

function userCounts(db: Database.Database, { fromDay, toDay }: DayRange, orgId: string | undefined): UserCounts {
  // A link before the first day marks a skill and user's first day in the days.
  if (orgId !== undefined) {
    const inOrg = [fromDay, toDay, orgId, fromDay];
    return {
      byDays: rows(db, USERS_BY_DAYS_IN_ORG, inOrg.slice(0, 3)),
      bySkills: rows(db, USERS_BY_SKILLS_IN_ORG, inOrg),
      perSkill: rows(db, SKILL_USERS_IN_ORG, inOrg),
    };
  }
  const firstDays = [fromDay, toDay, fromDay];
  return {
    byDays: rows(db, USERS_BY_DAYS, [fromDay, toDay]),
    bySkills: rows(db, USERS_BY_SKILLS, firstDays),
    perSkill: rows(db, SKILL_USERS, firstDays),
  };
}

function rows<R>(db: Database.Database, sql: string, parameters: readonly string[]): R[] {
  return prepared<string[], R>(db, sql)
    .raw(true)
    .all(...parameters);
}

const sum = (values: readonly number[]): number => values.reduce((total, value) => total + value, 0);

/** The orgs ('' excepted) active on each skill in the range. */
function activeOrgs(db: Database.Database, skills: readonly SkillOrgs[], range: TimeRange): Map<string, Set<string>> {
  const active = prepared<[string, string, string, string], number>(db, PAIR_ACTIVE).pluck(true);
  const bySkill = new Map<string, Set<string>>();
  for (const { skillId, orgIds } of skills) {
    const orgs = new Set(orgIds.filter((orgId) => orgId !== '' && active.get(skillId, orgId, range.from, range.to) === 1));
    if (orgs.size > 0) bySkill.set(skillId, orgs);
  }
  return bySkill;
}

function skillAdoption(
  users: ReadonlyMap<string, number>,
  orgs: ReadonlyMap<string, ReadonlySet<string>>,
  totalOrgs: number,
): SkillAdoption[] {
  const skills = [...new Set([...users.keys(), ...orgs.keys()])].map((skillId) => {
    const orgCount = orgs.get(skillId)?.size ?? 0;
    return { skillId, users: users.get(skillId) ?? 0, orgs: orgCount, orgAdoptionRate: totalOrgs > 0 ? orgCount / totalOrgs : null };
  });
  return skills.sort((a, b) => b.users - a.users || b.orgs - a.orgs || (a.skillId < b.skillId ? -1 : 1));
}
