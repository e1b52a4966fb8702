import type Database from 'better-sqlite3';
import { skillOrgs } from './hourlyKeys.js';
import { firstCallHour } from './hourlyTotals.js';
import type { SkillMetricsRow } from './allTimeRows.js';
import { prepared } from './statements.js';

/** A skill's first identified user: one seek in the (skill_id, first_day) index. */
const FIRST_DAY_SQL = 'SELECT min(first_day) FROM skill_user_first WHERE skill_id = ?';

/** The statements of this module, for the query-plan test. */
export const FIRST_USE_SQL: readonly string[] = Object.freeze([FIRST_DAY_SQL]);

/**
 * When each skill was first used, across every org, as SQLite UTC time: the earliest of its
 * first user's first day (skill_user_first, taken as midnight; never pruned), its
 * skill_metrics.first_seen (never pruned) and its first hour with calls in skill_usage_hourly
 * (pruned by retention, so only a fallback). Skills with none of the three are absent.
 */
export function firstUseBySkill(
  db: Database.Database,
  skillIds: Iterable<string>,
  metrics: ReadonlyMap<string, SkillMetricsRow>,
): Map<string, string> {
  const firstDay = prepared<[string], string | null>(db, FIRST_DAY_SQL).pluck(true);
  const firstUse = new Map<string, string>();
  for (const skillId of skillIds) {
    const day = firstDay.get(skillId) ?? null;
    const candidates = [
      day === null ? null : `${day} 00:00:00`,
      metrics.get(skillId)?.firstSeen ?? null,
      firstCallHour(db, skillOrgs(db, { orgId: undefined }, [skillId])[0] ?? { skillId, orgIds: [], agentName: undefined }),
    ];
    const earliest = candidates.filter((time): time is string => time !== null).sort()[0];
    if (earliest !== undefined) firstUse.set(skillId, earliest);
  }
  return firstUse;
}
