import type Database from 'better-sqlite3';
import { skillOrgs, type SkillOrgs } from './hourlyKeys.js';
import { reportScope, wholeNumberOption, type ReportOptions } from './options.js';
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

/** The first user and the next one of skill_user_daily's (user_id, day) index: one seek each. */
const FIRST_USER = "SELECT user_id FROM skill_user_daily WHERE user_id >= '' ORDER BY user_id LIMIT 1";
const NEXT_USER = 'SELECT user_id FROM skill_user_daily WHERE user_id > ? ORDER BY user_id LIMIT 1';
/**
 * One user's entries in the window are one range of the (user_id, day) index, ordered by day: its
 * distinct days come without a sort, its distinct skills from a small one. Per user, because one
 * query over the window would sort every entry of the window by user and by skill (measured 2 to
 * 4 times slower).
 */
const userDaysSql = (org: string): string => `SELECT count(*) FROM (SELECT DISTINCT day FROM skill_user_daily
WHERE user_id = ? AND day >= ? AND day < ?${org})`;
const userSkillsSql = (org: string): string => `SELECT DISTINCT skill_id FROM skill_user_daily WHERE user_id = ? AND day >= ? AND day < ?${org}`;
const ORG = ' AND org_id = ?';
/** Whether a skill and org have any row in the window: one seek. */
const PAIR_ACTIVE = 'SELECT EXISTS (SELECT 1 FROM skill_usage_hourly WHERE skill_id = ? AND org_id = ? AND hour >= ? AND hour < ?)';

/** The statements of this module, for the query-plan test. */
export const ADOPTION_SQL: readonly string[] = Object.freeze([
  FIRST_USER,
  NEXT_USER,
  userDaysSql(''),
  userDaysSql(ORG),
  userSkillsSql(''),
  userSkillsSql(ORG),
  PAIR_ACTIVE,
]);

/**
 * Adoption over the window. Users come from skill_user_daily (identified users; a call, a rating
 * or an install on a day counts as activity that day; the days the window touches, partial ones
 * included); orgs from skill_usage_hourly (any activity of the org in the window, identified or
 * not). With `orgId`, only that org: then totalOrgs is 0 or 1.
 * @throws {TypeError|RangeError} on a malformed window or option.
 */
export function adoptionReport(db: Database.Database, options?: AdoptionOptions): AdoptionReport {
  const caller = 'adoptionReport';
  const { window, orgId } = reportScope(caller, options);
  const engagedDays = wholeNumberOption(caller, 'engagedDays', options?.engagedDays, 1, ADOPTION_DEFAULTS.engagedDays);
  const users = activeUsers(db, dayRange(window), orgId);
  const orgsBySkill = activeOrgs(db, skillOrgs(db, orgId), window);
  const totalOrgs = new Set([...orgsBySkill.values()].flatMap((orgs) => [...orgs])).size;
  return {
    users: users.length,
    skillsPerUser: histogram(users.map((user) => user.skills.length)),
    skills: skillAdoption(usersBySkill(users), orgsBySkill, totalOrgs),
    totalOrgs,
    engagedUsers: users.filter((user) => user.activeDays >= engagedDays).length,
    averageActiveDays: users.length === 0 ? 0 : users.reduce((sum, user) => sum + user.activeDays, 0) / users.length,
  };
}

interface ActiveUser {
  readonly activeDays: number;
  readonly skills: readonly string[];
}

/** Every user with activity in the days (in the org), with their distinct active days and skills. */
function activeUsers(db: Database.Database, days: DayRange, orgId: string | undefined): ActiveUser[] {
  const org = orgId === undefined ? '' : ORG;
  const range = orgId === undefined ? [days.fromDay, days.toDay] : [days.fromDay, days.toDay, orgId];
  const activeDays = prepared<string[], number>(db, userDaysSql(org)).pluck(true);
  const skills = prepared<string[], string>(db, userSkillsSql(org)).pluck(true);
  const next = prepared<[string], string>(db, NEXT_USER).pluck(true);
  const users: ActiveUser[] = [];
  for (let userId = prepared<[], string>(db, FIRST_USER).pluck(true).get(); userId !== undefined; userId = next.get(userId)) {
    const count = activeDays.get(userId, ...range) ?? 0;
    if (count > 0) users.push({ activeDays: count, skills: skills.all(userId, ...range) });
  }
  return users;
}

function usersBySkill(users: readonly ActiveUser[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const user of users) for (const skillId of user.skills) counts.set(skillId, (counts.get(skillId) ?? 0) + 1);
  return counts;
}

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

function skillAdoption(users: ReadonlyMap<string, number>, orgs: ReadonlyMap<string, ReadonlySet<string>>, totalOrgs: number): SkillAdoption[] {
  const skills = [...new Set([...users.keys(), ...orgs.keys()])].map((skillId) => {
    const orgCount = orgs.get(skillId)?.size ?? 0;
    return { skillId, users: users.get(skillId) ?? 0, orgs: orgCount, orgAdoptionRate: totalOrgs > 0 ? orgCount / totalOrgs : null };
  });
  return skills.sort((a, b) => b.users - a.users || b.orgs - a.orgs || (a.skillId < b.skillId ? -1 : 1));
}

/** How many times each value occurs, by value ascending. */
function histogram(values: readonly number[]): { skills: number; users: number }[] {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([skills, users]) => ({ skills, users }));
}
