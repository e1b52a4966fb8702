import type { UsageRow } from './rows.js';
import { childMap } from '../core/childMap.js';
import { addTotalsInto } from '../instruments/perCallColumns.js';
import { HOURLY_TOTAL_COLUMNS, USER_DAY_TOTAL_COLUMNS, USER_DAY_TOTAL_FIELDS } from '../store/schema.js';

// The pure half of the write-time aggregates: an export's rows added up per key in memory, so that
// AggregateWriter writes one row per key, not one per skill_usage row.

/** One skill_usage_hourly upsert: a skill, org, hour and agent ('' for none), and its totals in HOURLY_TOTAL_COLUMNS order. */
export interface HourlyTotals {
  readonly skillId: string;
  readonly orgId: string;
  readonly hour: string;
  readonly agentName: string;
  readonly totals: number[];
}

/** One skill_usage_by_day upsert: a skill, org, day and agent, and its totals in HOURLY_TOTAL_COLUMNS order. */
export interface DailyTotals {
  readonly skillId: string;
  readonly orgId: string;
  readonly day: string;
  readonly agentName: string;
  readonly totals: number[];
}

/** One skill_user_daily upsert: the org is the one of the last row of the day. */
export interface UserDayTotals {
  readonly skillId: string;
  readonly userId: string;
  readonly day: string;
  orgId: string;
  readonly totals: number[];
}

/** One skill_user_first upsert: the earliest day of a skill and user in the export, and the org of its first row. */
export interface UserFirstDay {
  readonly skillId: string;
  readonly userId: string;
  orgId: string;
  firstDay: string;
}

/**
 * `derive`, remembering its last answer: an export's rows share one timestamp or a few, so the
 * hour and day are made once, and each is one string whose hash V8 keeps for the map lookups.
 */
function lastAnswer(derive: (timestamp: string) => string): (timestamp: string) => string {
  let lastTimestamp: string | undefined;
  let lastAnswer = '';
  return (timestamp) => {
    if (timestamp !== lastTimestamp) {
      lastTimestamp = timestamp;
      lastAnswer = derive(timestamp);
    }
    return lastAnswer;
  };
}

/** The UTC hour of a timestamp, 'YYYY-MM-DD HH:00:00', as the SQL `substr(timestamp, 1, 13) || ':00:00'`. */
const hourOf = (timestamp: string): string => `${timestamp.slice(0, 13)}:00:00`;

/** The UTC day of a timestamp, 'YYYY-MM-DD', as the SQL `substr(timestamp, 1, 10)`. */
const dayOf = (timestamp: string): string => timestamp.slice(0, 10);

/** Groups by skill and three more keys, in nested maps: cheaper than one map keyed by a joined string. */
class Groups<T> {
  readonly #bySkill = new Map<string, Map<string, Map<string, Map<string, T>>>>();
  readonly #all: T[] = [];

  /** The group of `skillId`, `first`, `second` and `third`, made by `create` when new. */
  get(skillId: string, first: string, second: string, third: string, create: () => T): T {
    const byThird = childMap(childMap(childMap(this.#bySkill, skillId), first), second);
    let group = byThird.get(third);
    if (group === undefined) {
      group = create();
      byThird.set(third, group);
      this.#all.push(group);
    }
    return group;
  }

  /** Every group, in the order they were made. */
  values(): T[] {
    return this.#all;
  }
}

/** One string for two, which no other pair shares (the first is prefixed by its length). */
const pairKey = (first: string, second: string): string => `${first.length}:${first}${second}`;

/** Adds a row's additive totals into `totals`, in {@link USER_DAY_TOTAL_COLUMNS} order. */
function addUserDay(totals: number[], row: UsageRow): void {
  for (let i = 0; i < USER_DAY_TOTAL_FIELDS.length; i++) totals[i]! += row[USER_DAY_TOTAL_FIELDS[i]!];
}

const zeros = (length: number) => new Array<number>(length).fill(0);

/** The rows added up per skill, org ('' for none), hour and agent ('' for none). Pure. */
export function hourlyTotals(usage: readonly UsageRow[]): HourlyTotals[] {
  const groups = new Groups<HourlyTotals>();
  const hourOfRow = lastAnswer(hourOf);
  for (const row of usage) {
    const orgId = row.orgId ?? '';
    const agentName = row.agentName ?? '';
    const hour = hourOfRow(row.timestamp);
    const group = groups.get(row.skillId, orgId, hour, agentName, () => ({
      skillId: row.skillId,
      orgId,
      hour,
      agentName,
      totals: zeros(HOURLY_TOTAL_COLUMNS.length),
    }));
    addTotalsInto(group.totals, row);
  }
  return groups.values();
}

/** The hourly totals added up per skill, org, day and agent: one row for an export within one hour. Pure. */
export function dailyTotals(hours: readonly HourlyTotals[]): DailyTotals[] {
  const groups = new Groups<DailyTotals>();
  const dayOfHour = lastAnswer(dayOf);
  for (const { skillId, orgId, hour, agentName, totals } of hours) {
    const day = dayOfHour(hour);
    const group = groups.get(skillId, orgId, day, agentName, () => ({ skillId, orgId, day, agentName, totals: zeros(totals.length) }));
    for (let i = 0; i < totals.length; i++) group.totals[i]! += totals[i]!;
  }
  return groups.values();
}

/** The rows with a user added up per skill, user and day; the org is the one of the group's last row. Pure. */
export function userDayTotals(usage: readonly UsageRow[]): UserDayTotals[] {
  const groups = new Groups<UserDayTotals>();
  const dayOfRow = lastAnswer(dayOf);
  for (const row of usage) {
    const userId = row.userId;
    if (userId === null) continue;
    const day = dayOfRow(row.timestamp);
    const group = groups.get(row.skillId, userId, day, '', () => ({
      skillId: row.skillId,
      userId,
      day,
      orgId: '',
      totals: zeros(USER_DAY_TOTAL_COLUMNS.length),
    }));
    addUserDay(group.totals, row);
    group.orgId = row.orgId ?? '';
  }
  return groups.values();
}

/** The earliest day of the groups, and their distinct [day, user] and [day, user, org]. Pure. */
export function userDaysOf(groups: readonly UserDayTotals[]): {
  earliest: string;
  users: [string, string][];
  orgs: [string, string, string][];
} {
  const users = new Map<string, [string, string]>();
  const orgs = new Map<string, [string, string, string]>();
  let earliest = groups[0]?.day ?? '';
  for (const { day, userId, orgId } of groups) {
    if (day < earliest) earliest = day;
    const user = pairKey(day, userId);
    users.set(user, [day, userId]);
    orgs.set(pairKey(user, orgId), [day, userId, orgId]);
  }
  return { earliest, users: [...users.values()], orgs: [...orgs.values()] };
}

/** The earliest day of each skill and user with rows, with the org of that day's first row. Pure. */
export function userFirstDays(usage: readonly UsageRow[]): UserFirstDay[] {
  const bySkill = new Map<string, Map<string, UserFirstDay>>();
  const firsts: UserFirstDay[] = [];
  const dayOfRow = lastAnswer(dayOf);
  for (const row of usage) {
    const { skillId, userId } = row;
    if (userId === null) continue;
    const day = dayOfRow(row.timestamp);
    const byUser = childMap(bySkill, skillId);
    const first = byUser.get(userId);
    if (first === undefined) {
      const made = { skillId, userId, orgId: row.orgId ?? '', firstDay: day };
      byUser.set(userId, made);
      firsts.push(made);
    } else if (day < first.firstDay) {
      first.firstDay = day;
      first.orgId = row.orgId ?? '';
    }
  }
  return firsts;
}
