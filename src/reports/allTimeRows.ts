import type Database from 'better-sqlite3';
import { prepared } from './statements.js';

/** A skill's all-time row of skill_metrics, as the reports use it. */
export interface SkillMetricsRow {
  /** Every rating ever given, and their stars added up. */
  readonly ratingCount: number;
  readonly ratingSum: number;
  /** First and latest export with activity of the skill, SQLite UTC time. */
  readonly firstSeen: string;
  readonly lastUpdated: string;
}

/** One row per skill: a small table that never grows with time, read whole. */
const METRICS_SQL = 'SELECT skill_id, rating_count, rating_sum, first_seen, last_updated FROM skill_metrics';

/** The statements of this module, for the query-plan test. */
export const SKILL_METRICS_SQL: readonly string[] = Object.freeze([METRICS_SQL]);

/** Every skill's all-time totals, by skill id. */
export function readSkillMetrics(db: Database.Database): Map<string, SkillMetricsRow> {
  const rows = prepared<[], [string, number, number, string, string]>(db, METRICS_SQL).raw(true).all();
  return new Map(
    rows.map(([skillId, ratingCount, ratingSum, firstSeen, lastUpdated]) => [skillId, { ratingCount, ratingSum, firstSeen, lastUpdated }]),
  );
}
