import type { UsageRow } from './rows.js';

type ByOrg = Map<string | null, UsageRow>;
type ByUser = Map<string | null, ByOrg>;
type BySkill = Map<string, ByUser>;

/** The map under `key` of `maps`, made empty when new. */
function child<K, V>(maps: Map<K, Map<unknown, V>>, key: K): Map<unknown, V> {
  let map = maps.get(key);
  if (map === undefined) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}

/**
 * The skill_usage rows of one export by their identity (interval end, overflow, skill, user, org),
 * in the order they were made. Nested maps keyed by the attribute strings themselves: an export's
 * points share those strings, whose hashes V8 keeps, where one joined key would be a new string to
 * build and hash for every point (most of the mapping's time, when it was one).
 */
export class UsageRowIndex {
  readonly #byEnd = [new Map<string, BySkill>(), new Map<string, BySkill>()] as const;
  readonly #rows: UsageRow[] = [];

  /** The row of an identity, made by `create` when new. */
  get(timestamp: string, overflow: boolean, skillId: string, userId: string | null, orgId: string | null, create: () => UsageRow): UsageRow {
    const byOrg = child(child(child(this.#byEnd[overflow ? 1 : 0], timestamp) as BySkill, skillId) as ByUser, userId) as ByOrg;
    let row = byOrg.get(orgId);
    if (row === undefined) {
      row = create();
      byOrg.set(orgId, row);
      this.#rows.push(row);
    }
    return row;
  }

  /** Every row, in the order they were made. */
  rows(): UsageRow[] {
    return this.#rows;
  }
}
