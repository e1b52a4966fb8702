import type Database from 'better-sqlite3';
import { META, setMeta } from './meta.js';
import { BY_DAY_THROUGH, ROLL_UP_DAYS } from './schema.js';

const DAY_MS = 86_400_000;

/** The day `days` after `day` (before, when negative), both 'YYYY-MM-DD'. */
export function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** The first day not closed after `through`, the last closed one: '' (every day) when none is. */
export const firstOpenDay = (through: string): string => (through === '' ? '' : shiftDay(through, 1));

/** The last closed day of skill_usage_by_day, '' when none. */
export function byDayThrough(db: Database.Database): string {
  return db.prepare(`SELECT ${BY_DAY_THROUGH}`).pluck().get() as string;
}

/**
 * Closes every day after the last closed one and before `day`: adds their hourly rows up into
 * skill_usage_by_day and records the day before `day` as the last closed. Nothing when they are
 * closed already. Run inside a write transaction.
 * @returns the day rows written.
 */
export function closeDaysBefore(db: Database.Database, day: string): number {
  const firstOpen = firstOpenDay(byDayThrough(db));
  if (!(firstOpen < day)) return 0;
  const { changes } = db.prepare(ROLL_UP_DAYS).run({ fromDay: firstOpen, toDay: day });
  setMeta(db, META.byDayThrough, shiftDay(day, -1));
  return changes;
}
