import type Database from 'better-sqlite3';
import { addExcluded, addingUpsert, placeholders } from './addingUpsert.js';
import { DayTotalsWriter } from './DayTotalsWriter.js';
import { hourlyTotals, userDaysOf, userDayTotals, userFirstDays, type UserDayTotals } from './exportTotals.js';
import type { UsageRow } from './rows.js';
import { HOURLY_TOTAL_COLUMNS, USER_DAY_TOTAL_COLUMNS } from '../store/schema.js';

const UPSERT_HOURLY = addingUpsert('skill_usage_hourly', ['skill_id', 'org_id', 'hour', 'agent_name'], HOURLY_TOTAL_COLUMNS);

/** SQL for the latest day of skill_user_daily before `day` of the same skill and user (and org, when given), '' for none. */
const previousDay = (
  skillId: string,
  userId: string,
  day: string,
  orgId?: string,
) => `coalesce((SELECT max(earlier.day) FROM skill_user_daily AS earlier
  WHERE earlier.skill_id = ${skillId} AND earlier.user_id = ${userId} AND earlier.day < ${day}${orgId === undefined ? '' : ` AND earlier.org_id = ${orgId}`}), '')`;

// A day that has its row already, in the same org, only adds its totals. It sets no column of an
// index, so SQLite leaves the indexes alone (the upsert below rewrites two, for its org): a third
// of the upsert's time, and the usual case of an export, whose users were busy the export before.
const addToUserDay = (
  columns: readonly string[],
) => `UPDATE skill_user_daily SET ${columns.map((column) => `${column} = ${column} + ?`).join(', ')}
WHERE skill_id = ? AND user_id = ? AND day = ? AND org_id = ?`;

/** The totals of a day of calls without ratings or installs, the usual kind: the first three of USER_DAY_TOTAL_COLUMNS. */
const CALL_TOTALS = 3;
const ADD_TO_USER_DAY = addToUserDay(USER_DAY_TOTAL_COLUMNS);
// Fewer columns to bind and to write, for the usual day: a sixth less time than ADD_TO_USER_DAY.
const ADD_CALLS_TO_USER_DAY = addToUserDay(USER_DAY_TOTAL_COLUMNS.slice(0, CALL_TOTALS));

// A new row links to the day before it, of its skill and user and of its org too (the key is bound
// again for each); a row already there keeps its links, but for prev_day_in_org when its org changes.
const UPSERT_USER_DAY = `INSERT INTO skill_user_daily (skill_id, user_id, day, org_id, ${USER_DAY_TOTAL_COLUMNS.join(', ')}, prev_day, prev_day_in_org)
VALUES (?, ?, ?, ?, ${placeholders(USER_DAY_TOTAL_COLUMNS.length)}, ${previousDay('?', '?', '?')}, ${previousDay('?', '?', '?', '?')})
ON CONFLICT (skill_id, user_id, day) DO UPDATE SET
  ${addExcluded(USER_DAY_TOTAL_COLUMNS)},
  org_id = excluded.org_id,
  prev_day_in_org = CASE WHEN org_id = excluded.org_id THEN prev_day_in_org ELSE excluded.prev_day_in_org END`;

/**
 * A day that arrives after a later one of the same skill and user (or moves into its org) becomes
 * the later one's predecessor: every row after the export's earliest day is linked again where it
 * differs. An export of the latest rows, the usual kind, has none after it.
 */
const row = ['skill_user_daily.skill_id', 'skill_user_daily.user_id', 'skill_user_daily.day'] as const;
const RELINK_LATER_DAYS = `UPDATE skill_user_daily SET prev_day = ${previousDay(...row)}, prev_day_in_org = ${previousDay(...row, 'skill_user_daily.org_id')}
WHERE day > ? AND (prev_day IS NOT ${previousDay(...row)} OR prev_day_in_org IS NOT ${previousDay(...row, 'skill_user_daily.org_id')})`;

/** The days and users of an export ([day, user] in JSON) lose the orgs that no skill_user_daily row of theirs has any more. */
const DROP_LEFT_ORGS = `DELETE FROM user_daily WHERE (day, user_id) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))
  AND NOT EXISTS (SELECT 1 FROM skill_user_daily AS d WHERE d.user_id = user_daily.user_id AND d.day = user_daily.day AND d.org_id = user_daily.org_id)`;

/** The days, users and orgs of an export ([day, user, org] in JSON) are listed in user_daily. */
const ADD_USER_DAYS =
  'INSERT OR IGNORE INTO user_daily (day, user_id, org_id) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)';

// Only an earlier day changes the row, and then its org comes along: the org of the first day's first row.
const UPSERT_USER_FIRST = `INSERT INTO skill_user_first (skill_id, user_id, org_id, first_day) VALUES (?, ?, ?, ?)
ON CONFLICT (skill_id, user_id) DO UPDATE SET org_id = excluded.org_id, first_day = excluded.first_day
  WHERE excluded.first_day < skill_user_first.first_day`;

/**
 * Keeps the write-time aggregates (skill_usage_hourly, skill_usage_by_day, skill_user_daily with its links to earlier
 * days, user_daily, skill_user_first) up to date with the skill_usage rows of each export. Call
 * {@link write} inside the export's transaction: the rows are first added up per key in memory, so
 * an export of many rows costs one upsert per skill, org, hour and agent (and per skill, user and day),
 * not one per row.
 */
export class AggregateWriter {
  readonly #upsertHourly: Database.Statement;
  readonly #byDay: DayTotalsWriter;
  readonly #addToUserDay: Database.Statement;
  readonly #addCallsToUserDay: Database.Statement;
  readonly #upsertUserDay: Database.Statement;
  readonly #relinkLaterDays: Database.Statement<[string]>;
  readonly #dropLeftOrgs: Database.Statement<[string]>;
  readonly #addUserDays: Database.Statement<[string]>;
  readonly #upsertUserFirst: Database.Statement;
  /** The latest day written to skill_user_daily by this writer, '' before the first. Only a hint: either path is right. */
  #latestDay = '';

  constructor(db: Database.Database) {
    this.#upsertHourly = db.prepare(UPSERT_HOURLY);
    this.#byDay = new DayTotalsWriter(db);
    this.#addToUserDay = db.prepare(ADD_TO_USER_DAY);
    this.#addCallsToUserDay = db.prepare(ADD_CALLS_TO_USER_DAY);
    this.#upsertUserDay = db.prepare(UPSERT_USER_DAY);
    this.#relinkLaterDays = db.prepare(RELINK_LATER_DAYS);
    this.#dropLeftOrgs = db.prepare(DROP_LEFT_ORGS);
    this.#addUserDays = db.prepare(ADD_USER_DAYS);
    this.#upsertUserFirst = db.prepare(UPSERT_USER_FIRST);
  }

  /** Adds the rows of one export, in the order they were inserted into skill_usage. */
  write(usage: readonly UsageRow[]): void {
    const hours = hourlyTotals(usage);
    for (const { skillId, orgId, hour, agentName, totals } of hours) this.#upsertHourly.run(skillId, orgId, hour, agentName, ...totals);
    this.#byDay.write(hours);
    const userDays = userDayTotals(usage);
    const upserted = this.#writeUserDays(userDays);
    if (upserted.size === 0) return;
    const days = userDaysOf(userDays);
    this.#relinkLaterDays.run(days.earliest);
    this.#dropLeftOrgs.run(JSON.stringify(days.users));
    this.#addUserDays.run(JSON.stringify(days.orgs));
    // A skill and user whose days were all added in place had rows of those days already, and
    // skill_user_first holds one of them or an earlier day (every path that makes a skill_user_daily
    // row sets skill_user_first in the same transaction, and retention keeps first days): only the
    // others can move their first day.
    for (const { skillId, userId, orgId, firstDay } of userFirstDays(usage)) {
      if (upserted.get(skillId)?.has(userId) === true) this.#upsertUserFirst.run(skillId, userId, orgId, firstDay);
    }
  }

  /**
   * Adds each total to its day's row; returns the users, by skill, of the rows not added to in place
   * (made, moved to another org, or found by the upsert). Only then can the links between days,
   * user_daily and the first days change, as they follow from the days and orgs alone.
   */
  #writeUserDays(userDays: readonly UserDayTotals[]): Map<string, Set<string>> {
    const upserted = new Map<string, Set<string>>();
    let latestDay = this.#latestDay;
    for (const { skillId, userId, day, orgId, totals } of userDays) {
      // A day after any this writer wrote seldom has rows yet (another process may have made
      // some: the upsert adds to those just as well), so it goes straight to the upsert.
      if (day <= this.#latestDay && this.#addInPlace(skillId, userId, day, orgId, totals)) continue;
      this.#upsertUserDay.run(skillId, userId, day, orgId, ...totals, skillId, userId, day, skillId, userId, day, orgId);
      let users = upserted.get(skillId);
      if (users === undefined) {
        users = new Set();
        upserted.set(skillId, users);
      }
      users.add(userId);
      if (day > latestDay) latestDay = day;
    }
    this.#latestDay = latestDay;
    return upserted;
  }

  /** Adds the totals to the day's row when it exists in the same org; false when it does not. */
  #addInPlace(skillId: string, userId: string, day: string, orgId: string, totals: readonly number[]): boolean {
    const callsOnly = totals[CALL_TOTALS] === 0 && totals[CALL_TOTALS + 1] === 0 && totals[CALL_TOTALS + 2] === 0;
    const { changes } = callsOnly
      ? this.#addCallsToUserDay.run(totals[0], totals[1], totals[2], skillId, userId, day, orgId)
      : this.#addToUserDay.run(...totals, skillId, userId, day, orgId);
    return changes > 0;
  }
}
