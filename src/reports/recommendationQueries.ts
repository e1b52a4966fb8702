/**
 * The reads behind recommend(). Each answers from the write-time aggregates with index seeks only,
 * so its cost follows the number of distinct users and skills, not the number of calls or days kept.
 */
import type Database from 'better-sqlite3';
import { prepared } from './statements.js';
import type { SkillCalls } from './trendingCandidates.js';
import type { DayRange, ResolvedWindow } from './window.js';

/** Walks skill_user_first for every skill, or (ONLY) for the skills of a JSON array, probing skill_user_daily for a day with calls. */
const windowUsersSql = (
  only: boolean,
) => `SELECT f.skill_id, json_group_array(f.user_id) FROM skill_user_first f INDEXED BY sqlite_autoindex_skill_user_first_1
    WHERE ${only ? 'f.skill_id IN (SELECT value FROM json_each(@skills)) AND ' : ''}f.first_day < @to AND EXISTS (
      SELECT 1 FROM skill_user_daily d
       WHERE d.skill_id = f.skill_id AND d.user_id = f.user_id AND d.day >= @from AND d.day < @to
         AND d.execution_count > 0 AND (@org IS NULL OR d.org_id = @org))
    GROUP BY f.skill_id`;
const WINDOW_USERS = windowUsersSql(false);
const WINDOW_USERS_OF_SKILLS = windowUsersSql(true);

/**
 * Each skill's users with calls in `days` (distinct user ids per skill id), from the rows of `orgId`
 * or of all orgs; with `skills`, of those skills only (the others are not read). Walks
 * skill_user_first (one row per user and skill ever) and probes skill_user_daily's primary key for
 * one row in the window, instead of reading every day's row. The walk follows skill_user_first's
 * primary key (skill, user), named because SQLite would take the (skill, first_day) index: in key
 * order the probes move forward through skill_user_daily's own (skill, user, day) key, which is
 * about 12% faster, and grouping by skill sorts nothing.
 */
export function windowUsersBySkill(
  db: Database.Database,
  days: DayRange,
  orgId: string | undefined,
  skills?: ReadonlySet<string>,
): Map<string, string[]> {
  const parameters = { from: days.fromDay, to: days.toDay, org: orgId ?? null };
  const lists =
    skills === undefined
      ? prepared<typeof parameters, [string, string]>(db, WINDOW_USERS).raw(true).all(parameters)
      : prepared<typeof parameters & { skills: string }, [string, string]>(db, WINDOW_USERS_OF_SKILLS)
          .raw(true)
          .all({ ...parameters, skills: JSON.stringify([...skills]) });
  // JSON, not a separator: user ids are any strings the application passes.
  return new Map(lists.map(([skillId, users]) => [skillId, JSON.parse(users) as string[]]));
}

/** The skills `userId` called in `days`, in any org. */
export function userSkillsInWindow(db: Database.Database, userId: string, days: DayRange): Set<string> {
  const skills = prepared<[string, string, string], string>(
    db,
    `SELECT DISTINCT skill_id FROM skill_user_daily WHERE user_id = ? AND day >= ? AND day < ? AND execution_count > 0`,
  )
    .pluck()
    .all(userId, days.fromDay, days.toDay);
  return new Set(skills);
}

/**
 * Every skill `userId` ever touched (called, rated or installed): skill_user_first, which retention
 * never prunes, walked one skill at a time, and their rows in skill_user_daily for good measure.
 */
export function skillsEverUsed(db: Database.Database, userId: string): Set<string> {
  const skills = prepared<{ user: string }, string>(
    db,
    `WITH RECURSIVE skills (skill_id) AS (
         SELECT min(skill_id) FROM skill_user_first
         UNION ALL
         SELECT (SELECT min(f.skill_id) FROM skill_user_first f WHERE f.skill_id > skills.skill_id) FROM skills WHERE skill_id IS NOT NULL
       )
       SELECT skill_id FROM skills
        WHERE skill_id IS NOT NULL AND EXISTS (SELECT 1 FROM skill_user_first f WHERE f.skill_id = skills.skill_id AND f.user_id = @user)
       UNION
       SELECT skill_id FROM skill_user_daily WHERE user_id = @user`,
  )
    .pluck()
    .all({ user: userId });
  return new Set(skills);
}

/**
 * Calls per skill in the window and in the previous one: the sums of skill_usage_hourly's
 * execution_count (every call, with or without a user) over each range, of `orgId` or of all orgs.
 * Walks the (skill, org) keys of the primary key one seek at a time and sums each key's hours in
 * range, so it reads only the rows of the two windows, in one statement.
 */
export function skillCalls(db: Database.Database, window: ResolvedWindow, orgId: string | undefined): SkillCalls[] {
  return prepared<{ from: string; to: string; previousFrom: string; previousTo: string; org: string | null }, SkillCalls>(
    db,
    `WITH RECURSIVE skills (skill_id) AS (
         SELECT min(skill_id) FROM skill_usage_hourly
         UNION ALL
         SELECT (SELECT min(h.skill_id) FROM skill_usage_hourly h WHERE h.skill_id > skills.skill_id) FROM skills WHERE skill_id IS NOT NULL
       ),
       keys (skill_id, org_id) AS (
         SELECT skill_id, (SELECT min(h.org_id) FROM skill_usage_hourly h WHERE h.skill_id = skills.skill_id) FROM skills WHERE skill_id IS NOT NULL
         UNION ALL
         SELECT skill_id, (SELECT min(h.org_id) FROM skill_usage_hourly h WHERE h.skill_id = keys.skill_id AND h.org_id > keys.org_id)
           FROM keys WHERE org_id IS NOT NULL
       )
       SELECT k.skill_id AS skillId,
              coalesce(sum((SELECT sum(h.execution_count) FROM skill_usage_hourly h
                             WHERE h.skill_id = k.skill_id AND h.org_id = k.org_id AND h.hour >= @from AND h.hour < @to)), 0) AS calls,
              coalesce(sum((SELECT sum(h.execution_count) FROM skill_usage_hourly h
                             WHERE h.skill_id = k.skill_id AND h.org_id = k.org_id AND h.hour >= @previousFrom AND h.hour < @previousTo)), 0) AS previousCalls
         FROM keys k
        WHERE k.org_id IS NOT NULL AND (@org IS NULL OR k.org_id = @org)
        GROUP BY k.skill_id`,
  ).all({ from: window.from, to: window.to, previousFrom: window.previous.from, previousTo: window.previous.to, org: orgId ?? null });
}

/** The org of the user's latest row with one, or undefined. */
export function latestOrg(db: Database.Database, userId: string): string | undefined {
  return prepared<[string], string>(
    db,
    `SELECT org_id FROM skill_user_daily WHERE user_id = ? AND org_id <> '' ORDER BY day DESC, skill_id DESC LIMIT 1`,
  )
    .pluck()
    .get(userId);
}
