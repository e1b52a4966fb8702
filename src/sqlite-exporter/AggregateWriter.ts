import type Database from 'better-sqlite3';
import type { UsageRow } from './rows.js';
import { HOURLY_TOTAL_COLUMNS, USER_DAY_TOTAL_COLUMNS } from './schema.js';

const placeholders = (count: number) => new Array<string>(count).fill('?').join(', ');
const addExcluded = (columns: readonly string[]) => columns.map((column) => `${column} = ${column} + excluded.${column}`).join(',\n  ');

const UPSERT_HOURLY = `INSERT INTO skill_usage_hourly (skill_id, org_id, hour, ${HOURLY_TOTAL_COLUMNS.join(', ')})
VALUES (?, ?, ?, ${placeholders(HOURLY_TOTAL_COLUMNS.length)})
ON CONFLICT (skill_id, org_id, hour) DO UPDATE SET
  ${addExcluded(HOURLY_TOTAL_COLUMNS)}`;

const UPSERT_USER_DAY = `INSERT INTO skill_user_daily (skill_id, user_id, day, org_id, ${USER_DAY_TOTAL_COLUMNS.join(', ')})
VALUES (?, ?, ?, ?, ${placeholders(USER_DAY_TOTAL_COLUMNS.length)})
ON CONFLICT (skill_id, user_id, day) DO UPDATE SET
  ${addExcluded(USER_DAY_TOTAL_COLUMNS)},
  org_id = excluded.org_id`;

// Only an earlier day changes the row, and then its org comes along: the org of the first day's first row.
const UPSERT_USER_FIRST = `INSERT INTO skill_user_first (skill_id, user_id, org_id, first_day) VALUES (?, ?, ?, ?)
ON CONFLICT (skill_id, user_id) DO UPDATE SET org_id = excluded.org_id, first_day = excluded.first_day
  WHERE excluded.first_day < skill_user_first.first_day`;

/** One skill_usage_hourly upsert: a skill, org and hour, and its totals in HOURLY_TOTAL_COLUMNS order. */
export interface HourlyTotals {
  readonly skillId: string;
  readonly orgId: string;
  readonly hour: string;
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
 * Keeps the write-time aggregates (skill_usage_hourly, skill_user_daily, skill_user_first) up to
 * date with the skill_usage rows of each export. Call {@link write} inside the export's
 * transaction: the rows are first added up per key in memory, so an export of many rows costs one
 * upsert per skill, org and hour (and per skill, user and day), not one per row.
 */
export class AggregateWriter {
  readonly #upsertHourly: Database.Statement;
  readonly #upsertUserDay: Database.Statement;
  readonly #upsertUserFirst: Database.Statement;

  constructor(db: Database.Database) {
    this.#upsertHourly = db.prepare(UPSERT_HOURLY);
    this.#upsertUserDay = db.prepare(UPSERT_USER_DAY);
    this.#upsertUserFirst = db.prepare(UPSERT_USER_FIRST);
  }

  /** Adds the rows of one export, in the order they were inserted into skill_usage. */
  write(usage: readonly UsageRow[]): void {
    for (const { skillId, orgId, hour, totals } of hourlyTotals(usage)) this.#upsertHourly.run(skillId, orgId, hour, ...totals);
    for (const { skillId, userId, day, orgId, totals } of userDayTotals(usage)) this.#upsertUserDay.run(skillId, userId, day, orgId, ...totals);
    for (const { skillId, userId, orgId, firstDay } of userFirstDays(usage)) this.#upsertUserFirst.run(skillId, userId, orgId, firstDay);
  }
}

/** The UTC hour of a row, 'YYYY-MM-DD HH:00:00', as the SQL `substr(timestamp, 1, 13) || ':00:00'`. */
const hourOf = (row: UsageRow): string => `${row.timestamp.slice(0, 13)}:00:00`;

/** The UTC day of a row, 'YYYY-MM-DD', as the SQL `substr(timestamp, 1, 10)`. */
const dayOf = (row: UsageRow): string => row.timestamp.slice(0, 10);

/** Groups by skill, then by a second key: cheaper than one map keyed by a joined string. */
class Groups<T> {
  readonly #bySkill = new Map<string, Map<string, T>>();
  readonly #all: T[] = [];

  /** The group of `skillId` and `key`, made by `create` when new. */
  get(skillId: string, key: string, create: () => T): T {
    let groups = this.#bySkill.get(skillId);
    if (groups === undefined) {
      groups = new Map();
      this.#bySkill.set(skillId, groups);
    }
    let group = groups.get(key);
    if (group === undefined) {
      group = create();
      groups.set(key, group);
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

/** Adds a row's additive totals into `totals`, in {@link HOURLY_TOTAL_COLUMNS} order. */
function addHourly(totals: number[], row: UsageRow): void {
  totals[0]! += row.executions;
  totals[1]! += row.successes;
  totals[2]! += row.failures;
  totals[3]! += row.latencySumMs;
  let column = 4;
  for (const count of row.latencyBuckets) totals[column++]! += count;
  for (const count of row.errors) totals[column++]! += count;
  totals[column++]! += row.ratingCount;
  totals[column++]! += row.ratingSum;
  totals[column]! += row.installs;
}

/** Adds a row's additive totals into `totals`, in {@link USER_DAY_TOTAL_COLUMNS} order. */
function addUserDay(totals: number[], row: UsageRow): void {
  totals[0]! += row.executions;
  totals[1]! += row.successes;
  totals[2]! += row.failures;
  totals[3]! += row.ratingCount;
  totals[4]! += row.ratingSum;
  totals[5]! += row.installs;
}

const zeros = (length: number) => new Array<number>(length).fill(0);

/** The rows added up per skill, org ('' for none) and hour. Pure. */
export function hourlyTotals(usage: readonly UsageRow[]): HourlyTotals[] {
  const groups = new Groups<HourlyTotals>();
  for (const row of usage) {
    const orgId = row.orgId ?? '';
    const hour = hourOf(row);
    const group = groups.get(row.skillId, pairKey(orgId, hour), () => ({ skillId: row.skillId, orgId, hour, totals: zeros(HOURLY_TOTAL_COLUMNS.length) }));
    addHourly(group.totals, row);
  }
  return groups.values();
}

/** The rows with a user added up per skill, user and day; the org is the one of the group's last row. Pure. */
export function userDayTotals(usage: readonly UsageRow[]): UserDayTotals[] {
  const groups = new Groups<UserDayTotals>();
  for (const row of usage) {
    const userId = row.userId;
    if (userId === null) continue;
    const day = dayOf(row);
    const group = groups.get(row.skillId, pairKey(userId, day), () => ({ skillId: row.skillId, userId, day, orgId: '', totals: zeros(USER_DAY_TOTAL_COLUMNS.length) }));
    addUserDay(group.totals, row);
    group.orgId = row.orgId ?? '';
  }
  return groups.values();
}

/** The earliest day of each skill and user with rows, with the org of that day's first row. Pure. */
export function userFirstDays(usage: readonly UsageRow[]): UserFirstDay[] {
  const firsts = new Groups<UserFirstDay>();
  for (const row of usage) {
    const userId = row.userId;
    if (userId === null) continue;
    const day = dayOf(row);
    const first = firsts.get(row.skillId, userId, () => ({ skillId: row.skillId, userId, orgId: row.orgId ?? '', firstDay: day }));
    if (day < first.firstDay) {
      first.firstDay = day;
      first.orgId = row.orgId ?? '';
    }
  }
  return firsts.values();
}
