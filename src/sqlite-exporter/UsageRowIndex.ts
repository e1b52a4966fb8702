import { childMap } from '../core/childMap.js';
import type { UsageRow } from './rows.js';

type ByAgent = Map<string | null, UsageRow>;
type ByOrg = Map<string | null, ByAgent>;
type ByUser = Map<string | null, ByOrg>;
type BySkill = Map<string, ByUser>;

/** Makes the first row of an identity. */
export type NewRow = (
  timestamp: string,
  overflow: boolean,
  skillId: string,
  userId: string | null,
  orgId: string | null,
  agentName: string | null,
  intervalStart: string,
) => UsageRow;

/**
 * The skill_usage rows of one export by their identity (interval end, overflow, skill, user, org, agent),
 * in the order they were made. Nested maps keyed by the attribute strings themselves: an export's
 * points share those strings, whose hashes V8 keeps, where one joined key would be a new string to
 * build and hash for every point (most of the mapping's time, when it was one).
 */
export class UsageRowIndex {
  readonly #byEnd = [new Map<string, BySkill>(), new Map<string, BySkill>()] as const;
  readonly #rows: UsageRow[] = [];
  readonly #create: NewRow;

  /** `create` makes the first row of an identity (given once, not as a closure per lookup). */
  constructor(create: NewRow) {
    this.#create = create;
  }

  /** The row of an identity, made by `create` when new (`intervalStart` is only for a new row). */
  get(
    timestamp: string,
    overflow: boolean,
    skillId: string,
    userId: string | null,
    orgId: string | null,
    agentName: string | null,
    intervalStart: string,
  ): UsageRow {
    const byAgent = childMap(childMap(childMap(childMap(this.#byEnd[overflow ? 1 : 0], timestamp), skillId), userId), orgId);
    let row = byAgent.get(agentName);
    if (row === undefined) {
      row = this.#create(timestamp, overflow, skillId, userId, orgId, agentName, intervalStart);
      byAgent.set(agentName, row);
      this.#rows.push(row);
    }
    return row;
  }

  /** Every row, in the order they were made. */
  rows(): UsageRow[] {
    return this.#rows;
  }
}
