import type Database from 'better-sqlite3';
import { OVERFLOW_SKILL_ID } from '../store/schema.js';
import { prepared } from './statements.js';

/**
 * A skill and the orgs ('' for none) whose rows the reports read in skill_usage_hourly, and the
 * agent they are narrowed to. The table's primary key is (skill_id, org_id, hour, agent_name), so
 * the rows of one skill and org over a window, of every agent, are one contiguous range of the
 * B-tree: the reports seek to each range and read it, instead of looking every row of the window
 * up through the hour index (measured 4 to 8 times slower on 7 to 30 day windows) or scanning the
 * whole table. The rows of one agent are read in that range too, the others skipped.
 */
export interface SkillOrgs {
  readonly skillId: string;
  readonly orgIds: readonly string[];
  /** Only this agent's rows; undefined for every agent's. */
  readonly agentName: string | undefined;
}

/** What {@link skillOrgs} reads: one org or every org, one agent or every agent. */
export interface KeyScope {
  readonly orgId: string | undefined;
  readonly agentName?: string | undefined;
}

/** The first key of the table: one seek (every text is >= ''). */
const FIRST_KEY = "SELECT skill_id, org_id FROM skill_usage_hourly WHERE skill_id >= '' ORDER BY skill_id, org_id LIMIT 1";
/** The first key of the next skill: one seek. */
const NEXT_SKILL = 'SELECT skill_id, org_id FROM skill_usage_hourly WHERE skill_id > ? ORDER BY skill_id, org_id LIMIT 1';
/** The first org of a skill: one seek. */
const FIRST_ORG = 'SELECT org_id FROM skill_usage_hourly WHERE skill_id = ? ORDER BY org_id LIMIT 1';
/** The next org of the same skill: one seek. */
const NEXT_ORG = 'SELECT org_id FROM skill_usage_hourly WHERE skill_id = ? AND org_id > ? ORDER BY org_id LIMIT 1';

/** The statements of this module, for the query-plan test. */
export const KEY_SQL: readonly string[] = Object.freeze([FIRST_KEY, NEXT_SKILL, FIRST_ORG, NEXT_ORG]);

/**
 * The skills to read, each with its orgs: with `orgId`, every skill with that org alone (a skill
 * the org never used costs one seek and adds nothing); otherwise every org the skill has rows for.
 * `agentName` narrows every skill to that agent's rows. `skillIds` limits the skills. Found by
 * skipping from key to key (a loose index scan), one seek per skill and org, never reading the rows
 * in between.
 */
export function skillOrgs(db: Database.Database, { orgId, agentName }: KeyScope, skillIds?: readonly string[]): SkillOrgs[] {
  const skills = skillIds ?? hourlySkills(db);
  if (orgId !== undefined) return skills.map((skillId) => ({ skillId, orgIds: [orgId], agentName }));
  return skills.map((skillId) => ({ skillId, orgIds: orgsOf(db, skillId), agentName })).filter((skill) => skill.orgIds.length > 0);
}

/**
 * Whether a skill id names a skill, rather than the `(overflow)` row that collects the calls of
 * skills past the in-process series limit: leaderboards and health leave that row out.
 */
export function isRankable(skillId: string): boolean {
  return skillId !== OVERFLOW_SKILL_ID;
}

/** Every skill with rows in skill_usage_hourly, in order. */
export function hourlySkills(db: Database.Database): string[] {
  const skills: string[] = [];
  const next = prepared<[string], [string, string]>(db, NEXT_SKILL).raw(true);
  for (let key = prepared<[], [string, string]>(db, FIRST_KEY).raw(true).get(); key !== undefined; key = next.get(key[0])) {
    skills.push(key[0]);
  }
  return skills;
}

function orgsOf(db: Database.Database, skillId: string): string[] {
  const orgs: string[] = [];
  const next = prepared<[string, string], string>(db, NEXT_ORG).pluck(true);
  for (let org = prepared<[string], string>(db, FIRST_ORG).pluck(true).get(skillId); org !== undefined; org = next.get(skillId, org)) {
    orgs.push(org);
  }
  return orgs;
}
