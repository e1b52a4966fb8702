import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { adoptionCurve, growth, successRateByDay, usageTrend } from '../../src/reports/trends.js';
import { insertHourly, insertUserFirsts, NOW, useAnalyticsDatabase } from './helpers/fixtures.js';

// The '7d' window at NOW is [2026-03-03 13:00, 2026-03-10 13:00); 2026-03-03 is a Tuesday, so its
// ISO weeks start on Monday 2026-03-02 and Monday 2026-03-09.

describe('trends', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;

  beforeEach(() => {
    db = database();
    insertHourly(
      db,
      { skill: 'a', hour: '2026-03-05 10:00:00', calls: 10, failures: 1 },
      { skill: 'a', org: 'acme', hour: '2026-03-05 10:00:00', calls: 5 },
      { skill: 'a', hour: '2026-03-05 11:00:00', calls: 3 },
      { skill: 'a', hour: '2026-03-09 23:00:00', calls: 4 },
      { skill: 'a', hour: '2026-03-03 12:00:00', calls: 100 },
      { skill: 'b', hour: '2026-03-03 13:00:00', calls: 1 },
      { skill: 'b', hour: '2026-03-08 23:00:00', calls: 2, failures: 1 },
      { skill: 'b', hour: '2026-03-06 00:00:00', ratingCount: 1, ratingSum: 4 },
      { skill: 'c', hour: '2026-02-25 00:00:00', calls: 10 },
    );
  });

  describe('usageTrend', () => {
    it('sums each skill per hour over its orgs, leaving out hours without calls', () => {
      assert.deepEqual(usageTrend(db, { granularity: 'hour', now: NOW }), [
        { skillId: 'a', bucket: '2026-03-05 10:00:00', executions: 15, successes: 14, failures: 1 },
        { skillId: 'a', bucket: '2026-03-05 11:00:00', executions: 3, successes: 3, failures: 0 },
        { skillId: 'a', bucket: '2026-03-09 23:00:00', executions: 4, successes: 4, failures: 0 },
        { skillId: 'b', bucket: '2026-03-03 13:00:00', executions: 1, successes: 1, failures: 0 },
        { skillId: 'b', bucket: '2026-03-08 23:00:00', executions: 2, successes: 1, failures: 1 },
      ]);
    });

    it('sums per UTC day', () => {
      assert.deepEqual(usageTrend(db, { granularity: 'day', now: NOW }), [
        { skillId: 'a', bucket: '2026-03-05', executions: 18, successes: 17, failures: 1 },
        { skillId: 'a', bucket: '2026-03-09', executions: 4, successes: 4, failures: 0 },
        { skillId: 'b', bucket: '2026-03-03', executions: 1, successes: 1, failures: 0 },
        { skillId: 'b', bucket: '2026-03-08', executions: 2, successes: 1, failures: 1 },
      ]);
    });

    it('sums per ISO week, named by its Monday', () => {
      // Sunday 2026-03-08 belongs to the week of Monday 2026-03-02
      assert.deepEqual(usageTrend(db, { granularity: 'week', now: NOW }), [
        { skillId: 'a', bucket: '2026-03-02', executions: 18, successes: 17, failures: 1 },
        { skillId: 'a', bucket: '2026-03-09', executions: 4, successes: 4, failures: 0 },
        { skillId: 'b', bucket: '2026-03-02', executions: 3, successes: 2, failures: 1 },
      ]);
    });

    it('keeps to the skills and the org asked for', () => {
      assert.deepEqual(
        usageTrend(db, { granularity: 'week', now: NOW, skillIds: ['b', 'unknown'] }).map((point) => [point.skillId, point.executions]),
        [['b', 3]],
      );
      assert.deepEqual(usageTrend(db, { granularity: 'day', now: NOW, orgId: 'acme' }), [
        { skillId: 'a', bucket: '2026-03-05', executions: 5, successes: 5, failures: 0 },
      ]);
    });

    it('refuses an unknown granularity or skill ids that are not strings', () => {
      assert.throws(
        () => usageTrend(db, { granularity: 'weeks' as never }),
        /^RangeError: usageTrend: unknown granularity "weeks"; did you mean "week"\? use one of hour, day, week$/,
      );
      assert.throws(
        () => usageTrend(db, { granularity: 'day', skillIds: 'a' as never }),
        /^TypeError: usageTrend: option "skillIds" must be an array of skill ids \(non-empty strings\), got "a"$/,
      );
    });
  });

  describe('successRateByDay', () => {
    it('gives calls and successes / calls per skill per day', () => {
      assert.deepEqual(successRateByDay(db, { now: NOW }), [
        { skillId: 'a', day: '2026-03-05', calls: 18, successRate: 17 / 18 },
        { skillId: 'a', day: '2026-03-09', calls: 4, successRate: 1 },
        { skillId: 'b', day: '2026-03-03', calls: 1, successRate: 1 },
        { skillId: 'b', day: '2026-03-08', calls: 2, successRate: 0.5 },
      ]);
    });
  });

  describe('adoptionCurve', () => {
    beforeEach(() => {
      insertUserFirsts(
        db,
        { skill: 'a', user: 'u1', firstDay: '2026-02-01' },
        { skill: 'a', user: 'u2', firstDay: '2026-03-04' },
        { skill: 'a', user: 'u3', firstDay: '2026-03-04', org: 'acme' },
        { skill: 'a', user: 'u4', firstDay: '2026-03-10' },
        { skill: 'a', user: 'u5', firstDay: '2026-03-11' },
        { skill: 'b', user: 'u1', firstDay: '2026-03-03' },
        { skill: 'c', user: 'u9', firstDay: '2026-01-15' },
      );
    });

    it('counts new users per day and distinct users since records began', () => {
      // a: u1 came before the window; 2026-03-04 brings u2 and u3 (3 in all), 2026-03-10 u4 (4);
      // 2026-03-11 is after the window; c has no new user in it
      assert.deepEqual(adoptionCurve(db, { now: NOW }), [
        { skillId: 'a', day: '2026-03-04', newUsers: 2, cumulativeUsers: 3 },
        { skillId: 'a', day: '2026-03-10', newUsers: 1, cumulativeUsers: 4 },
        { skillId: 'b', day: '2026-03-03', newUsers: 1, cumulativeUsers: 1 },
      ]);
    });

    it('counts with orgId only the users who first used the skill in that org', () => {
      assert.deepEqual(adoptionCurve(db, { now: NOW, orgId: 'acme' }), [
        { skillId: 'a', day: '2026-03-04', newUsers: 1, cumulativeUsers: 1 },
      ]);
    });
  });

  describe('growth', () => {
    it('compares calls with the previous window of the same length', () => {
      // a: 22 now, 100 before → (22 − 100)/100 = −0.78; b: 3 now, none before → null; c: 0 now, 10 before → −1
      assert.deepEqual(growth(db, { now: NOW }), [
        { skillId: 'a', calls: 22, previousCalls: 100, growthRate: -0.78 },
        { skillId: 'b', calls: 3, previousCalls: 0, growthRate: null },
        { skillId: 'c', calls: 0, previousCalls: 10, growthRate: -1 },
      ]);
    });

    it("compares one org's calls with orgId", () => {
      assert.deepEqual(growth(db, { now: NOW, orgId: 'acme' }), [{ skillId: 'a', calls: 5, previousCalls: 0, growthRate: null }]);
    });
  });
});
