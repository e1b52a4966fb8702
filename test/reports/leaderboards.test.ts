import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { leaderboard, type Leaderboard, type LeaderboardOptions } from '../../src/reports/leaderboards.js';
import { emptyRow } from '../../src/sqlite-exporter/rows.js';
import { SqliteWriter } from '../../src/sqlite-exporter/SqliteWriter.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { deleteHourly, insertHourly, insertSkillMetrics, insertUserFirsts, NOW, useAnalyticsDatabase } from './helpers/fixtures.js';

// At NOW the '7d' window is [2026-03-03 13:00, 2026-03-10 13:00), the previous one
// [2026-02-24 13:00, 2026-03-03 13:00) and the one before that [2026-02-17 13:00, 2026-02-24 13:00).

/** [rank, skill, score, previousRank, rankChange] of every entry. */
function places(board: Leaderboard): [number, string, number, number | null, number | null][] {
  return board.entries.map((entry) => [entry.rank, entry.skillId, entry.score, entry.previousRank, entry.rankChange]);
}

function assertClose(actual: number | string | null | undefined, expected: number): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${String(actual)}`);
}

describe('leaderboard', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;
  beforeEach(() => (db = database()));

  const rank = (options: Omit<LeaderboardOptions, 'now'>): Leaderboard => leaderboard(db, { now: NOW, ...options });

  describe('usage', () => {
    beforeEach(() => {
      insertHourly(
        db,
        { skill: 'search', org: 'acme', hour: '2026-03-05 10:00:00', calls: 70, failures: 5 },
        { skill: 'search', hour: '2026-03-09 08:00:00', calls: 50 },
        { skill: 'search', hour: '2026-02-26 10:00:00', calls: 40 },
        { skill: 'code', org: 'acme', hour: '2026-03-04 09:00:00', calls: 90 },
        { skill: 'code', org: 'acme', hour: '2026-02-25 09:00:00', calls: 100 },
        // the current hour is in the window
        { skill: 'docs', org: 'globex', hour: '2026-03-10 12:00:00', calls: 90 },
        { skill: 'mail', hour: '2026-02-28 00:00:00', calls: 10 },
        // the first hour of the window is in it, the hour before is in the previous window
        { skill: 'edge', hour: '2026-03-03 13:00:00', calls: 5 },
        { skill: 'edge', hour: '2026-03-03 12:00:00', calls: 7 },
        // before the previous window: counted nowhere
        { skill: 'old', hour: '2026-02-20 00:00:00', calls: 500 },
        // ratings alone are no calls
        { skill: 'rated', hour: '2026-03-05 00:00:00', ratingCount: 3, ratingSum: 12 },
        // the calls of skills past the series limit are no skill
        { skill: '(overflow)', hour: '2026-03-05 00:00:00', calls: 5000 },
      );
    });

    it('ranks by calls with the rank change against the previous window', () => {
      // now: search 70 + 50 = 120, code 90, docs 90 (ties go by skill id), edge 5
      // before: code 100, search 40, mail 10, edge 7
      const board = rank({ metric: 'usage' });
      assert.deepEqual(places(board), [
        [1, 'search', 120, 2, 1],
        [2, 'code', 90, 1, -1],
        [3, 'docs', 90, null, null],
        [4, 'edge', 5, 4, 0],
      ]);
      assert.deepEqual(board.entries[0]!.details, { calls: 120, successes: 115, failures: 5 });
      assert.deepEqual(
        { metric: board.metric, window: board.window, orgId: board.orgId, computedAt: board.computedAt },
        { metric: 'usage', window: '7d', orgId: undefined, computedAt: '2026-03-10 12:30:00' },
      );
    });

    it('returns the first `limit` entries', () => {
      assert.deepEqual(
        rank({ metric: 'usage', limit: 2 }).entries.map((entry) => entry.skillId),
        ['search', 'code'],
      );
    });

    it("counts only one org's calls with orgId", () => {
      // acme now: code 90, search 70; acme before: code 100 (search's earlier calls had no org)
      assert.deepEqual(places(rank({ metric: 'usage', orgId: 'acme' })), [
        [1, 'code', 90, 1, 0],
        [2, 'search', 70, null, null],
      ]);
    });

    it('ranks over an explicit range, against the range of the same length before it', () => {
      // [2026-02-24 00:00, 2026-03-03 00:00): code 100, search 40, mail 10 (edge's 12:00 row is after)
      const board = rank({ metric: 'usage', window: { from: '2026-02-24', to: '2026-03-03' } });
      assert.equal(board.window, '2026-02-24 00:00:00..2026-03-03 00:00:00');
      // before, [2026-02-17, 2026-02-24): old 500
      assert.deepEqual(places(board), [
        [1, 'code', 100, null, null],
        [2, 'search', 40, null, null],
        [3, 'mail', 10, null, null],
      ]);
    });
  });

  describe('rating', () => {
    beforeEach(() => {
      insertHourly(
        db,
        { skill: 'solo', hour: '2026-03-08 10:00:00', ratingCount: 1, ratingSum: 5 },
        { skill: 'steady', hour: '2026-03-04 10:00:00', ratingCount: 300, ratingSum: 1440 },
        { skill: 'steady', hour: '2026-03-06 10:00:00', ratingCount: 200, ratingSum: 960 },
        { skill: 'meh', hour: '2026-03-05 10:00:00', ratingCount: 500, ratingSum: 1500 },
        // before: meh 100 five-star ratings, steady 100 three-star ones
        { skill: 'meh', hour: '2026-02-27 10:00:00', ratingCount: 100, ratingSum: 500 },
        { skill: 'steady', hour: '2026-02-27 10:00:00', ratingCount: 100, ratingSum: 300 },
      );
    });

    it('does not let one 5-star vote beat five hundred 4.8s', () => {
      // prior mean m = (5 + 2400 + 1500) / (1 + 500 + 500) = 3905/1001 = 3.901099, weight C = 10
      // steady: (10m + 2400) / 510 = 2441450/510510 = 4.782374
      // solo:   (10m + 5) / 11     = 44055/11011    = 4.000999
      // meh:    (10m + 1500) / 510 = 1540550/510510 = 3.017669
      // before: m = 800/200 = 4; meh (40 + 500)/110 = 4.909 first, steady (40 + 300)/110 = 3.091 second
      const board = rank({ metric: 'rating' });
      assert.deepEqual(
        board.entries.map((entry) => [entry.rank, entry.skillId, entry.previousRank, entry.rankChange]),
        [
          [1, 'steady', 2, 1],
          [2, 'solo', null, null],
          [3, 'meh', 1, -2],
        ],
      );
      assertClose(board.entries[0]!.score, 2441450 / 510510);
      assertClose(board.entries[1]!.score, 44055 / 11011);
      assertClose(board.entries[2]!.score, 1540550 / 510510);
      const details = board.entries[0]!.details;
      assert.equal(details['ratings'], 500);
      assertClose(details['meanRating'], 4.8);
      assertClose(details['priorMean'], 3905 / 1001);
      assert.equal(details['priorWeight'], 10);
    });

    it('lets a lone 5-star vote edge out 4.8s only when those 4.8s are nearly every rating of the window', () => {
      deleteHourly(db, 'meh');
      // m = 2405/501 = 4.800399: solo (10m + 5)/11 = 4.818545, steady (10m + 2400)/510 = 4.800008
      const board = rank({ metric: 'rating' });
      assert.deepEqual(
        board.entries.map((entry) => entry.skillId),
        ['solo', 'steady'],
      );
      assertClose(board.entries[0]!.score, 26555 / 5511);
      assertClose(board.entries[1]!.score, 1226450 / 255510);
    });
  });

  describe('success_rate', () => {
    beforeEach(() => {
      insertHourly(
        db,
        { skill: 'a', hour: '2026-03-05 10:00:00', calls: 20, failures: 1 },
        { skill: 'b', hour: '2026-03-05 10:00:00', calls: 100, failures: 5 },
        { skill: 'c', hour: '2026-03-05 10:00:00', calls: 19 },
        { skill: 'd', hour: '2026-03-05 10:00:00', calls: 40, failures: 10 },
        { skill: 'a', hour: '2026-02-26 10:00:00', calls: 50 },
        { skill: 'd', hour: '2026-02-26 10:00:00', calls: 30, failures: 3 },
        { skill: 'b', hour: '2026-02-26 10:00:00', calls: 10 },
      );
    });

    it('ranks skills with at least minCalls calls by success rate, ties by calls', () => {
      // now: b 95/100 = 0.95 and a 19/20 = 0.95 (b has more calls), d 30/40 = 0.75; c has 19 < 20 calls
      // before: a 50/50 = 1, d 27/30 = 0.9; b had 10 calls
      assert.deepEqual(places(rank({ metric: 'success_rate' })), [
        [1, 'b', 0.95, null, null],
        [2, 'a', 0.95, 1, -1],
        [3, 'd', 0.75, 2, -1],
      ]);
      assert.deepEqual(rank({ metric: 'success_rate' }).entries[2]!.details, { calls: 40, successes: 30, failures: 10, minCalls: 20 });
    });

    it('takes minCalls from the options', () => {
      // c's 19/19 = 1 now counts; before, b's 10/10 = 1 still does not
      assert.deepEqual(
        places(rank({ metric: 'success_rate', minCalls: 19 })).map(([place, skill]) => [place, skill]),
        [
          [1, 'c'],
          [2, 'b'],
          [3, 'a'],
          [4, 'd'],
        ],
      );
    });
  });

  describe('most_improved', () => {
    beforeEach(() => {
      // No latency, no ratings: health = 100 × (0.5 × Wilson + 0.1 × usage) / 0.6, usage = 1 at 100 calls.
      // Wilson(100, 100) = 200 / 207.6832 = 0.963005 → 96.9
      // Wilson(90, 100)  = (180 + 3.8416 − 1.96 × √39.8416) / 207.6832 = 0.825633 → 85.5
      // Wilson(50, 100)  = (100 + 3.8416 − 1.96 × √103.8416) / 207.6832 = 0.403830 → 50.3
      insertHourly(
        db,
        { skill: 'x', hour: '2026-03-05 10:00:00', calls: 100 },
        { skill: 'x', hour: '2026-02-26 10:00:00', calls: 100, failures: 50 },
        { skill: 'y', hour: '2026-03-05 10:00:00', calls: 100 },
        { skill: 'y', hour: '2026-02-26 10:00:00', calls: 100, failures: 10 },
        { skill: 'y', hour: '2026-02-20 10:00:00', calls: 100, failures: 50 },
        { skill: 'z', hour: '2026-03-05 10:00:00', calls: 100 },
        { skill: 'z', hour: '2026-02-26 10:00:00', calls: 19, failures: 19 },
        { skill: 'w', hour: '2026-03-05 10:00:00', calls: 100, failures: 50 },
        { skill: 'w', hour: '2026-02-26 10:00:00', calls: 100 },
      );
    });

    it('ranks the rise in health score from the previous window, both with enough calls', () => {
      // x: 96.9 − 50.3 = 46.6; y: 96.9 − 85.5 = 11.4; z had 19 calls before; w fell (50.3 − 96.9)
      // the previous board (against the window before it): y 85.5 − 50.3 = 35.2, first
      const board = rank({ metric: 'most_improved' });
      assert.deepEqual(places(board), [
        [1, 'x', 46.6, null, null],
        [2, 'y', 11.4, 1, -1],
      ]);
      assert.deepEqual(board.entries[0]!.details, { health: 96.9, previousHealth: 50.3, calls: 100, previousCalls: 100, minCalls: 20 });
    });

    it('takes the all-time rating from skill_metrics into both scores', () => {
      // one 5-star rating: rating = ((15 + 5)/6 − 1)/4 = 0.583333, weights 0.5, 0.15, 0.1 over 0.75
      // x now:    100 × (0.5 × 0.963005 + 0.15 × 0.583333 + 0.1) / 0.75 = 89.20 → 89.2
      // x before: 100 × (0.5 × 0.403830 + 0.15 × 0.583333 + 0.1) / 0.75 = 51.92 → 51.9
      insertSkillMetrics(db, {
        skill: 'x',
        ratingCount: 1,
        ratingSum: 5,
        firstSeen: '2026-01-01 00:00:00',
        lastUpdated: '2026-03-05 10:00:00',
      });
      const x = rank({ metric: 'most_improved' }).entries.find((entry) => entry.skillId === 'x')!;
      assert.deepEqual([x.score, x.details['health'], x.details['previousHealth']], [37.3, 89.2, 51.9]);
    });
  });

  describe('trending_new', () => {
    beforeEach(() => {
      // new since 2026-03-10 13:00 − 4 × 7 days = 2026-02-10 13:00
      insertUserFirsts(
        db,
        { skill: 'fresh', user: 'u1', firstDay: '2026-03-05' },
        { skill: 'fresh', user: 'u2', firstDay: '2026-03-06' },
        { skill: 'veteran', user: 'u1', firstDay: '2026-01-02' },
        { skill: 'mixed', user: 'u3', firstDay: '2026-03-01' },
      );
      insertSkillMetrics(db, { skill: 'brand', firstSeen: '2026-02-20 08:15:00', lastUpdated: '2026-03-09 00:00:00' });
      insertSkillMetrics(db, { skill: 'edgy', firstSeen: '2026-02-10 12:59:59', lastUpdated: '2026-03-09 00:00:00' });
      insertSkillMetrics(db, { skill: 'mixed', firstSeen: '2025-12-01 00:00:00', lastUpdated: '2026-03-09 00:00:00' });
      insertHourly(
        db,
        { skill: 'fresh', hour: '2026-03-07 10:00:00', calls: 30 },
        { skill: 'brand', hour: '2026-03-07 10:00:00', calls: 50 },
        { skill: 'brand', hour: '2026-02-26 10:00:00', calls: 20 },
        { skill: 'veteran', hour: '2026-03-07 10:00:00', calls: 200 },
        { skill: 'anon', hour: '2026-02-11 09:00:00', calls: 1 },
        { skill: 'anon', org: 'acme', hour: '2026-02-25 09:00:00', calls: 5 },
        { skill: 'anon', hour: '2026-03-07 10:00:00', calls: 10 },
        { skill: 'edgy', hour: '2026-03-07 10:00:00', calls: 40 },
        { skill: 'edgy', hour: '2026-02-27 10:00:00', calls: 30 },
        { skill: 'mixed', hour: '2026-03-07 10:00:00', calls: 60 },
        // acme's first calls of an old skill and of a new one
        { skill: 'veteran', org: 'acme', hour: '2026-03-08 10:00:00', calls: 15 },
        { skill: 'fresh', org: 'acme', hour: '2026-03-08 10:00:00', calls: 3 },
      );
    });

    it('ranks skills first used within the last four window lengths by calls', () => {
      // first use: fresh 2026-03-05 (skill_user_first), brand 2026-02-20 08:15 (skill_metrics),
      // anon 2026-02-11 09:00 (its first hour); edgy 2026-02-10 12:59:59 is a second too early,
      // veteran (2026-01-02) and mixed (skill_metrics says 2025-12-01) are old
      // before (new since 2026-02-03 13:00): edgy 30, brand 20, anon 5
      const board = rank({ metric: 'trending_new' });
      assert.deepEqual(places(board), [
        [1, 'brand', 50, 2, 1],
        [2, 'fresh', 33, null, null],
        [3, 'anon', 10, 3, 0],
      ]);
      assert.deepEqual(
        board.entries.map((entry) => entry.details),
        [
          { calls: 50, firstUse: '2026-02-20 08:15:00' },
          { calls: 33, firstUse: '2026-03-05 00:00:00' },
          { calls: 10, firstUse: '2026-02-11 09:00:00' },
        ],
      );
    });

    it('judges newness across every org, and ranks the calls of the org asked for', () => {
      // veteran is new to acme but not to the catalogue; anon's acme calls were in the previous window
      assert.deepEqual(places(rank({ metric: 'trending_new', orgId: 'acme' })), [[1, 'fresh', 3, null, null]]);
    });
  });

  describe('no cache', () => {
    const write = (writer: SqliteWriter, calls: number) => {
      const row = emptyRow('search', 'alice', 'acme', '2026-03-10 12:00:00', '2026-03-10 11:59:50', false);
      row.executions = calls;
      row.successes = calls;
      writer.write({ usage: [row], points: [] });
    };

    it('shows the calls exported after an earlier read of the same board', () => {
      const writer = new SqliteWriter(db);
      write(writer, 1);
      assert.deepEqual(places(rank({ metric: 'usage' })), [[1, 'search', 1, null, null]]);
      write(writer, 2);
      assert.deepEqual(places(leaderboard(db, { metric: 'usage', now: NOW + 1000 })), [[1, 'search', 3, null, null]]);
    });

    it('writes nothing, and computes on a read-only connection', () => {
      insertHourly(
        db,
        { skill: 'search', hour: '2026-03-05 10:00:00', calls: 120 },
        { skill: 'code', hour: '2026-03-05 10:00:00', calls: 90 },
      );
      const changes = db.prepare('SELECT total_changes()').pluck();
      const before = changes.get();
      rank({ metric: 'usage' });
      rank({ metric: 'success_rate', minCalls: 1 });
      assert.equal(changes.get(), before);
      const reader = openAnalyticsDatabase(db.name, { readonly: true });
      try {
        assert.deepEqual(
          leaderboard(reader, { metric: 'usage', now: NOW }).entries.map((entry) => entry.skillId),
          ['search', 'code'],
        );
      } finally {
        reader.close();
      }
    });
  });

  describe('options', () => {
    const refused: [string, Partial<LeaderboardOptions> & Record<string, unknown>, RegExp][] = [
      [
        'an unknown metric',
        { metric: 'usgae' as never },
        /^RangeError: leaderboard: unknown metric "usgae"; did you mean "usage"\? use one of usage, rating, success_rate, most_improved, trending_new$/,
      ],
      [
        'a missing metric',
        {},
        /^TypeError: leaderboard: option "metric" must be one of usage, rating, success_rate, most_improved, trending_new, got undefined$/,
      ],
      [
        'a negative limit',
        { metric: 'usage', limit: -1 },
        /^RangeError: leaderboard: option "limit" must be a whole number, 1 or more, got -1$/,
      ],
      ['a limit of 0', { metric: 'usage', limit: 0 }, /option "limit" must be a whole number, 1 or more, got 0/],
      [
        'a limit given as text',
        { metric: 'usage', limit: '5' as never },
        /^TypeError: leaderboard: option "limit" must be a number, got "5"$/,
      ],
      ['a fractional minCalls', { metric: 'success_rate', minCalls: 2.5 }, /option "minCalls" must be a whole number, 1 or more, got 2.5/],
      [
        'a malformed window',
        { metric: 'usage', window: '7x' as never },
        /^RangeError: leaderboard: window "7x" is malformed; use '24h', '7d', '30d'/,
      ],
      [
        'an empty orgId',
        { metric: 'usage', orgId: '' },
        /^TypeError: leaderboard: option "orgId" must be a non-empty string, got ""; leave it out for every org$/,
      ],
    ];
    for (const [what, options, message] of refused) {
      it(`refuses ${what}, saying what is allowed`, () => {
        assert.throws(
          () => leaderboard(db, { now: NOW, ...options } as LeaderboardOptions),
          (error: Error) => message.test(`${error.name}: ${error.message}`),
        );
      });
    }
  });
});
