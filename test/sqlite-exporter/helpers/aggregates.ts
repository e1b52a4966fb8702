import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { checkAggregates } from '../../../src/store/aggregates.js';
import { HOURLY_TOTAL_COLUMNS, USER_DAY_TOTAL_COLUMNS } from '../../../src/store/schema.js';

const sums = (columns: readonly string[]) => columns.map((column) => `sum(${column}) AS ${column}`).join(', ');

// Written apart from the package's own SQL, with correlated subqueries instead of its joins and
// window functions, so a mistake in one is not repeated in the other.

/** skill_usage_hourly as a GROUP BY over skill_usage says it should be: per skill, org, hour and agent. */
export function expectedHourly(db: Database.Database): unknown[] {
  return db
    .prepare(
      `SELECT skill_id, coalesce(org_id, '') AS org_id, substr(timestamp, 1, 13) || ':00:00' AS hour, agent_name, ${sums(HOURLY_TOTAL_COLUMNS)}
       FROM skill_usage GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    )
    .all();
}

/** skill_user_daily's keys, org and totals as a GROUP BY over skill_usage says they should be: the org of the last row written. */
const USER_DAYS = `SELECT skill_id, user_id, substr(timestamp, 1, 10) AS day,
  (SELECT coalesce(latest.org_id, '') FROM skill_usage AS latest
   WHERE latest.skill_id = u.skill_id AND latest.user_id = u.user_id AND substr(latest.timestamp, 1, 10) = substr(u.timestamp, 1, 10)
   ORDER BY latest.id DESC LIMIT 1) AS org_id,
  ${sums(USER_DAY_TOTAL_COLUMNS)}
FROM skill_usage AS u WHERE user_id IS NOT NULL GROUP BY 1, 2, 3`;

/** skill_user_daily as skill_usage says it should be, with the latest earlier day of the skill and user, and of the skill, user and org. */
export function expectedUserDaily(db: Database.Database): unknown[] {
  return db
    .prepare(
      `WITH days AS (${USER_DAYS})
       SELECT *,
         (SELECT coalesce(max(earlier.day), '') FROM days AS earlier
          WHERE earlier.skill_id = d.skill_id AND earlier.user_id = d.user_id AND earlier.day < d.day) AS prev_day,
         (SELECT coalesce(max(earlier.day), '') FROM days AS earlier
          WHERE earlier.skill_id = d.skill_id AND earlier.user_id = d.user_id AND earlier.org_id = d.org_id AND earlier.day < d.day) AS prev_day_in_org
       FROM days AS d ORDER BY 1, 2, 3`,
    )
    .all();
}

/** user_daily as skill_usage says it should be: each day, user and org of skill_user_daily's rows. */
export function expectedUserDays(db: Database.Database): unknown[] {
  return db.prepare(`SELECT DISTINCT day, user_id, org_id FROM (${USER_DAYS}) ORDER BY 1, 2, 3`).all();
}

/** skill_user_first as skill_usage says it should be: the first day, and the org of that day's first row. */
export function expectedUserFirst(db: Database.Database): unknown[] {
  return db
    .prepare(
      `SELECT skill_id, user_id, min(substr(timestamp, 1, 10)) AS first_day,
         (SELECT coalesce(earliest.org_id, '') FROM skill_usage AS earliest
          WHERE earliest.skill_id = u.skill_id AND earliest.user_id = u.user_id
          ORDER BY substr(earliest.timestamp, 1, 10), earliest.id LIMIT 1) AS org_id
       FROM skill_usage AS u WHERE user_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2`,
    )
    .all();
}

/** The rows of the four aggregate tables, in the column order of the expected ones. */
export function aggregateTables(db: Database.Database): {
  hourly: unknown[];
  userDaily: unknown[];
  userFirst: unknown[];
  userDays: unknown[];
} {
  return {
    hourly: db
      .prepare(`SELECT skill_id, org_id, hour, agent_name, ${HOURLY_TOTAL_COLUMNS.join(', ')} FROM skill_usage_hourly ORDER BY 1, 2, 3, 4`)
      .all(),
    userDaily: db
      .prepare(
        `SELECT skill_id, user_id, day, org_id, ${USER_DAY_TOTAL_COLUMNS.join(', ')}, prev_day, prev_day_in_org FROM skill_user_daily ORDER BY 1, 2, 3`,
      )
      .all(),
    userFirst: db.prepare('SELECT skill_id, user_id, first_day, org_id FROM skill_user_first ORDER BY 1, 2').all(),
    userDays: db.prepare('SELECT day, user_id, org_id FROM user_daily ORDER BY 1, 2, 3').all(),
  };
}

/**
 * Fails unless the aggregate tables equal GROUP BYs over every skill_usage row (nothing pruned), and
 * checkAggregates agrees. Exact: the tests' latencies add up without rounding.
 */
export function assertAggregatesMatchUsage(db: Database.Database): void {
  const actual = aggregateTables(db);
  assert.deepEqual(actual.hourly, expectedHourly(db), 'skill_usage_hourly');
  assert.deepEqual(actual.userDaily, expectedUserDaily(db), 'skill_user_daily');
  assert.deepEqual(actual.userFirst, expectedUserFirst(db), 'skill_user_first');
  assert.deepEqual(actual.userDays, expectedUserDays(db), 'user_daily');
  assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
}
