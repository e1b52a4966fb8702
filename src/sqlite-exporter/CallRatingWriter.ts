import type Database from 'better-sqlite3';
import type { CallRating } from '../instruments/callRatings.js';
import { sqliteTime } from '../store/schema.js';
import { emptyRow, type UsageRow } from './rows.js';

/** A rating as skill_call_rating keeps it: '' for no user, org or agent. */
interface StoredRating {
  readonly skill_id: string;
  readonly org_id: string;
  readonly agent_name: string;
  readonly stars: number;
  readonly rated_at: string;
  readonly counted_at: string;
}

const FIND = `SELECT skill_id, org_id, agent_name, stars, rated_at, counted_at FROM skill_call_rating
WHERE call_id = ? AND user_id = ?`;
const INSERT = `INSERT INTO skill_call_rating (call_id, user_id, skill_id, org_id, agent_name, stars, rated_at, counted_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const REPLACE = `UPDATE skill_call_rating SET skill_id = ?, org_id = ?, agent_name = ?, stars = ?, rated_at = ?
WHERE call_id = ? AND user_id = ?`;

/**
 * Keeps skill_call_rating, the latest rating of each call by each user, and turns each rating of an
 * export into the skill_usage rows that count it, so that every total (skill_usage, the aggregates,
 * skill_metrics) counts each call and user once with its latest stars:
 *
 * - a first rating: a row of one rating, at the time it was given (`counted_at`);
 * - a later one with other stars (or of another skill, org or agent): rows that take the earlier
 *   rating back and count this one, both at the earlier one's `counted_at`, so the rating stays in
 *   the hour and day it was first counted in (one row when the skill, org and agent are the same:
 *   no rating more, the stars changed);
 * - the same stars again, or an older rating than the one kept (another process's, written late):
 *   no row.
 *
 * Call {@link rows} inside the export's transaction, before the usage rows are written.
 */
export class CallRatingWriter {
  readonly #find: Database.Statement<[string, string], StoredRating>;
  readonly #insert: Database.Statement;
  readonly #replace: Database.Statement;

  constructor(db: Database.Database) {
    this.#find = db.prepare<[string, string], StoredRating>(FIND);
    this.#insert = db.prepare(INSERT);
    this.#replace = db.prepare(REPLACE);
  }

  /** Records `ratings`, oldest first, and returns the skill_usage rows that count them. */
  rows(ratings: readonly CallRating[]): UsageRow[] {
    const rows: UsageRow[] = [];
    for (const rating of [...ratings].sort((a, b) => a.ratedAtMs - b.ratedAtMs)) {
      const user = rating.userId ?? '';
      const ratedAt = sqliteTime(rating.ratedAtMs);
      const keys = [rating.skillId, rating.orgId ?? '', rating.agentName ?? ''] as const;
      const stored = this.#find.get(rating.callId, user);
      if (stored === undefined) {
        this.#insert.run(rating.callId, user, ...keys, rating.stars, ratedAt, ratedAt);
        rows.push(ratingRow(rating, keys, ratedAt, 1, rating.stars));
        continue;
      }
      if (ratedAt < stored.rated_at) continue;
      this.#replace.run(...keys, rating.stars, ratedAt, rating.callId, user);
      const moved = stored.skill_id !== keys[0] || stored.org_id !== keys[1] || stored.agent_name !== keys[2];
      if (!moved && stored.stars === rating.stars) continue;
      const earlier = ratingRow(rating, [stored.skill_id, stored.org_id, stored.agent_name], stored.counted_at, -1, stored.stars);
      if (moved) rows.push(earlier, ratingRow(rating, keys, stored.counted_at, 1, rating.stars));
      else rows.push(addRating(earlier, 1, rating.stars));
    }
    return rows;
  }
}

/** A skill_usage row of `count` ratings (1, or -1 to take one back) of `stars`, for `rating`'s user, at `at`. */
function ratingRow(
  rating: CallRating,
  [skillId, orgId, agentName]: readonly [string, string, string],
  at: string,
  count: number,
  stars: number,
): UsageRow {
  const row = emptyRow(skillId, rating.userId, orgId === '' ? null : orgId, at, at, false, agentName === '' ? null : agentName);
  return addRating(row, count, stars);
}

function addRating(row: UsageRow, count: number, stars: number): UsageRow {
  row.ratingCount += count;
  row.ratingSum += count * stars;
  row.stars[stars - 1]! += count;
  return row;
}
