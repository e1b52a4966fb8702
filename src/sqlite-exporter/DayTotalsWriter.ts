import type Database from 'better-sqlite3';
import { dailyTotals, type HourlyTotals } from './exportTotals.js';
import { closeDaysBefore, firstOpenDay } from '../store/closedDays.js';
import { addingUpsert } from './addingUpsert.js';
import { BY_DAY_THROUGH, HOURLY_TOTAL_COLUMNS } from '../store/schema.js';

const ADD_TO_CLOSED_DAY = addingUpsert('skill_usage_by_day', ['skill_id', 'org_id', 'day', 'agent_name'], HOURLY_TOTAL_COLUMNS);

/**
 * Keeps skill_usage_by_day with the hourly rows of each export: rows for a closed day are added to
 * its row; a later day than every closed one closes the days before it. The usual export, of
 * today's rows, writes nothing here. Call {@link write} in the export's transaction, after the
 * hourly rows are written.
 */
export class DayTotalsWriter {
  readonly #db: Database.Database;
  readonly #through: Database.Statement<[], string>;
  readonly #addToClosedDay: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#through = db.prepare<[], string>(`SELECT ${BY_DAY_THROUGH}`).pluck();
    this.#addToClosedDay = db.prepare(ADD_TO_CLOSED_DAY);
  }

  /** Adds the export's hourly totals (already in skill_usage_hourly) where they belong. */
  write(hours: readonly HourlyTotals[]): void {
    if (hours.length === 0) return;
    const through = this.#through.get() ?? '';
    let latest = '';
    for (const { hour } of hours) if (hour > latest) latest = hour;
    const latestDay = latest.slice(0, 10);
    if (through !== '' && hours.some(({ hour }) => hour.slice(0, 10) <= through)) {
      for (const { skillId, orgId, day, agentName, totals } of dailyTotals(hours))
        if (day <= through) this.#addToClosedDay.run(skillId, orgId, day, agentName, ...totals);
    }
    // The days before the latest one of this export are past: close those not closed yet, from the
    // hourly rows, which hold this export's rows of those days already. The usual export, of the
    // day after the last closed one, has none.
    if (firstOpenDay(through) < latestDay) closeDaysBefore(this.#db, latestDay);
  }
}
