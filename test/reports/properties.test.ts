import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import * as fc from 'fast-check';
import { healthReport } from '../../src/reports/healthReport.js';
import { skillLatency } from '../../src/reports/latency.js';
import { LEADERBOARD_METRICS, leaderboard, type Leaderboard, type LeaderboardMetric } from '../../src/reports/leaderboards.js';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { LATENCY_BOUNDARIES_MS } from '../../src/instruments/names.js';
import { clearAggregates, insertHourly, NOW, useAnalyticsDatabase, type HourlyRow, type Latencies } from './helpers/fixtures.js';

const BUCKETS = LATENCY_BOUNDARIES_MS.length + 1;
const HOUR_MS = 3_600_000;
/** The first hour of the window two before the '7d' window at NOW: 2026-02-17 13:00. */
const FIRST_HOUR_MS = Date.parse('2026-03-10T13:00:00Z') - 21 * 24 * HOUR_MS;

const bucketCounts = fc.array(fc.nat({ max: 1000 }), { minLength: BUCKETS, maxLength: BUCKETS });

/** A skill_usage_hourly row somewhere in the three weeks up to NOW, calls spread over the buckets. */
const hourlyRow: fc.Arbitrary<HourlyRow> = fc
  .record({
    skill: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
    org: fc.constantFrom('', 'acme', 'globex'),
    hourIndex: fc.nat({ max: 21 * 24 - 1 }),
    buckets: fc.array(fc.nat({ max: 40 }), { minLength: BUCKETS, maxLength: BUCKETS }),
    failureShare: fc.double({ min: 0, max: 1, noNaN: true }),
    ratings: fc.nat({ max: 30 }),
    stars: fc.double({ min: 1, max: 5, noNaN: true }),
  })
  .map(({ skill, org, hourIndex, buckets, failureShare, ratings, stars }) => {
    const calls = buckets.reduce((sum, count) => sum + count, 0);
    const failures = Math.floor(calls * failureShare);
    const latency: Latencies = {};
    buckets.forEach((count, i) => (latency[i < LATENCY_BOUNDARIES_MS.length ? LATENCY_BOUNDARIES_MS[i]! : 'inf'] = count));
    const hour = new Date(FIRST_HOUR_MS + hourIndex * HOUR_MS).toISOString().slice(0, 19).replace('T', ' ');
    return {
      skill,
      org,
      hour,
      calls,
      failures,
      latency,
      errors: { internal: failures },
      ratingCount: ratings,
      ratingSum: Math.round(ratings * stars),
    };
  });

const fixture = fc.uniqueArray(hourlyRow, { selector: (row) => `${row.skill}|${row.org}|${row.hour}`, maxLength: 40 });

/** The range a board's scores must lie in. */
const SCORE_RANGE: Readonly<Record<LeaderboardMetric, (score: number) => boolean>> = {
  usage: (score) => Number.isInteger(score) && score > 0,
  rating: (score) => score >= 1 && score <= 5,
  success_rate: (score) => score >= 0 && score <= 1,
  most_improved: (score) => score > 0 && score <= 100,
  trending_new: (score) => Number.isInteger(score) && score > 0,
};

function assertWellFormed(board: Leaderboard): void {
  board.entries.forEach((entry, i) => {
    assert.equal(entry.rank, i + 1);
    assert.ok(SCORE_RANGE[board.metric](entry.score), `${board.metric} score ${entry.score} out of range`);
    if (i > 0)
      assert.ok(board.entries[i - 1]!.score >= entry.score, `${board.metric}: ${board.entries[i - 1]!.score} before ${entry.score}`);
    assert.equal(entry.rankChange, entry.previousRank === null ? null : entry.previousRank - entry.rank);
    assert.ok(entry.previousRank === null || (Number.isInteger(entry.previousRank) && entry.previousRank >= 1));
  });
}

describe('properties', () => {
  describe('latency percentiles', () => {
    it('never decrease with the quantile and stay within the bounds: p50 <= p95 <= p99', () => {
      fc.assert(
        fc.property(bucketCounts, (counts) => {
          const calls = counts.reduce((sum, count) => sum + count, 0);
          const errors = ERROR_TYPES.map(() => 0);
          const totals = { calls, successes: calls, failures: 0, latencyBuckets: counts, errors, latencySumMs: 0 };
          const row = skillLatency('s', totals);
          if (calls === 0) return row.p50 === null && row.p95 === null && row.p99 === null;
          const [p50, p95, p99] = [row.p50!, row.p95!, row.p99!];
          return p50 >= 0 && p50 <= p95 && p95 <= p99 && p99 <= LATENCY_BOUNDARIES_MS.at(-1)!;
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('latency percentiles with the slowest and fastest call known', () => {
    it('stay within [min, max]', () => {
      const latency = fc.float({ min: 0, max: 70_000, noNaN: true });
      fc.assert(
        fc.property(bucketCounts, latency, latency, (counts, a, b) => {
          const calls = counts.reduce((sum, count) => sum + count, 0);
          const [minMs, maxMs] = a <= b ? [a, b] : [b, a];
          const errors = ERROR_TYPES.map(() => 0);
          const totals = { calls, successes: calls, failures: 0, latencyBuckets: counts, errors, latencySumMs: calls * minMs };
          const row = skillLatency('s', totals, { minMs, maxMs });
          if (calls === 0) return row.p50 === null && row.minMs === null;
          const low = calls === 1 ? minMs : row.minMs!;
          const high = calls === 1 ? minMs : row.maxMs!;
          return [row.p50!, row.p95!, row.p99!].every((p) => p >= low && p <= high);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('over random aggregates', () => {
    const database = useAnalyticsDatabase();
    let db: Database.Database;
    beforeEach(() => (db = database()));

    const withRows = (rows: HourlyRow[]): void => {
      clearAggregates(db);
      insertHourly(db, ...rows);
    };

    it('orders every leaderboard by score, ranks 1..n, with every score in its range', () => {
      fc.assert(
        fc.property(fixture, fc.constantFrom(...LEADERBOARD_METRICS), fc.integer({ min: 1, max: 30 }), (rows, metric, minCalls) => {
          withRows(rows);
          assertWellFormed(leaderboard(db, { metric, now: NOW, minCalls, limit: 100 }));
        }),
        { numRuns: 60 },
      );
    });

    it('keeps every health score from 0 to 100, components from 0 to 1, weights summing to 1', () => {
      fc.assert(
        fc.property(fixture, fc.integer({ min: 1, max: 50 }), (rows, minCalls) => {
          withRows(rows);
          for (const row of healthReport(db, { now: NOW, minCalls })) {
            assert.equal(row.lowConfidence, row.calls < minCalls);
            assert.equal(row.score === undefined, row.lowConfidence);
            if (row.score !== undefined) assert.ok(row.score >= 0 && row.score <= 100);
            for (const value of Object.values(row.components)) assert.ok(value >= 0 && value <= 1);
            const weights = Object.values(row.weights).reduce((sum, weight) => sum + weight, 0);
            assert.ok(Math.abs(weights - 1) < 1e-9);
          }
        }),
        { numRuns: 60 },
      );
    });
  });
});
