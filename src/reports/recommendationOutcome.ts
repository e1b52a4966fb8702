/**
 * What a user did with a recommendation. Outcomes are steps of one funnel, weakest first: a later
 * outcome replaces the stored one only when it is further along, so the log keeps the furthest
 * step each recommendation reached and when it was first reached.
 */
import type Database from 'better-sqlite3';
import { sqliteOnly } from './prometheus/sqliteOnly.js';
import { sqliteTime } from '../store/schema.js';
import { prepared } from './statements.js';

/** The outcomes, weakest first: dismissed < clicked < installed < used. */
export const RECOMMENDATION_OUTCOMES = Object.freeze(['dismissed', 'clicked', 'installed', 'used'] as const);

/** One of {@link RECOMMENDATION_OUTCOMES}. */
export type RecommendationOutcome = (typeof RECOMMENDATION_OUTCOMES)[number];

/** The outcome a recommendation_log row holds after {@link recordRecommendationOutcome}. */
export interface RecordedOutcome {
  readonly id: number;
  /** The furthest outcome reached, which may be an earlier, stronger one than the one just given. */
  readonly outcome: RecommendationOutcome;
  /** When that outcome was recorded, SQLite UTC text. */
  readonly outcomeAt: string;
  /** True when this call changed the row. */
  readonly changed: boolean;
}

/** SQL giving the rank of the outcome in `column`: 0 for dismissed … 3 for used, -1 for none (or a value written by others). */
export function outcomeRankSql(column: string): string {
  return `CASE ${column} ${RECOMMENDATION_OUTCOMES.map((outcome, rank) => `WHEN '${outcome}' THEN ${rank}`).join(' ')} ELSE -1 END`;
}

/** Stores the outcome only over a weaker one, in one statement. */
const UPGRADE_SQL = `UPDATE recommendation_log SET outcome = ?, outcome_at = ? WHERE id = ? AND ${outcomeRankSql('outcome')} < ?`;
const STORED_SQL = 'SELECT outcome, outcome_at AS outcomeAt FROM recommendation_log WHERE id = ?';

/**
 * Records what the user did with recommendation `id` (the id {@link recommend} returned), at `now`.
 * A weaker or equal outcome than the one stored leaves the row as it is (clicked after used stays
 * used); a stronger one replaces it with its time. Atomic: one UPDATE, safe beside other writers.
 *
 * @param now epoch milliseconds. @default Date.now()
 * @throws {TypeError} when `outcome` is not one of dismissed, clicked, installed, used, or `id` is not a whole number.
 * @throws {RangeError} when recommendation_log has no row `id`.
 */
export function recordRecommendationOutcome(
  db: Database.Database,
  id: number,
  outcome: RecommendationOutcome,
  now: number = Date.now(),
): RecordedOutcome {
  sqliteOnly('recordRecommendationOutcome', db);
  checkArguments(id, outcome, now);
  const rank = RECOMMENDATION_OUTCOMES.indexOf(outcome);
  const changed = prepared<[string, string, number, number]>(db, UPGRADE_SQL).run(outcome, sqliteTime(now), id, rank).changes > 0;
  const row = prepared<[number], { outcome: RecommendationOutcome; outcomeAt: string }>(db, STORED_SQL).get(id);
  if (row === undefined) {
    throw new RangeError(
      `recordRecommendationOutcome: recommendation_log has no recommendation ${id}; pass an id that recommend() returned (rows older than the retention are deleted)`,
    );
  }
  return { id, outcome: row.outcome, outcomeAt: row.outcomeAt, changed };
}

function checkArguments(id: number, outcome: unknown, now: number): void {
  if (!RECOMMENDATION_OUTCOMES.includes(outcome as RecommendationOutcome)) {
    const got = JSON.stringify(outcome) ?? String(outcome);
    throw new TypeError(`recordRecommendationOutcome: outcome must be one of ${RECOMMENDATION_OUTCOMES.join(', ')}, got ${got}`);
  }
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new TypeError(`recordRecommendationOutcome: id must be the whole number recommend() returned, got ${String(id)}`);
  }
  if (!Number.isFinite(now)) throw new TypeError(`recordRecommendationOutcome: now must be epoch milliseconds, got ${String(now)}`);
}
