import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { healthReport, type SkillHealthReport } from '../../src/reports/healthReport.js';
import { insertHourly, insertSkillMetrics, NOW, useAnalyticsDatabase } from './helpers/fixtures.js';

// At NOW the '7d' window is [2026-03-03 13:00, 2026-03-10 13:00); 30 days before NOW is 2026-02-08 12:30.

function close(actual: number | undefined, expected: number, digits = 6): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 10 ** -digits, `expected ${expected}, got ${String(actual)}`);
}

function bySkill(rows: SkillHealthReport[], skillId: string): SkillHealthReport {
  const row = rows.find((candidate) => candidate.skillId === skillId);
  assert.ok(row !== undefined, `no row for ${skillId}`);
  return row;
}

describe('healthReport', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;

  beforeEach(() => {
    db = database();
    insertHourly(
      db,
      // search: 95 successes, 5 failures; 85 calls in (250, 500] ms, 15 in (1000, 2500] ms
      { skill: 'search', hour: '2026-03-05 10:00:00', calls: 60, failures: 3, latency: { 500: 55, 2500: 5 } },
      { skill: 'search', org: 'acme', hour: '2026-03-09 10:00:00', calls: 40, failures: 2, latency: { 500: 30, 2500: 10 } },
      { skill: 'search', hour: '2026-02-20 10:00:00', calls: 1000, failures: 1000 },
      { skill: 'perfect', hour: '2026-03-06 10:00:00', calls: 20 },
      { skill: 'tiny', hour: '2026-03-08 00:00:00', calls: 10 },
      { skill: 'stale', hour: '2026-01-20 10:00:00', calls: 50 },
      { skill: 'recent', hour: '2026-02-09 10:00:00', calls: 50 },
      { skill: 'recent', hour: '2026-03-05 00:00:00', ratingCount: 1, ratingSum: 2 },
      // the calls of skills past the series limit: not a skill to score or deprecate
      { skill: '(overflow)', hour: '2026-03-05 00:00:00', calls: 500 },
    );
    insertSkillMetrics(db, {
      skill: 'search',
      ratingCount: 4,
      ratingSum: 18,
      firstSeen: '2026-01-01 00:00:00',
      lastUpdated: '2026-03-09 10:01:00',
    });
    insertSkillMetrics(db, { skill: 'ghost', firstSeen: '2025-11-01 00:00:00', lastUpdated: '2026-01-01 00:00:00' });
  });

  it('scores every component of a skill with computeHealth over the window', () => {
    // success = Wilson(95, 100) = 0.888248
    // p95: rank 95, 85 calls up to 500 ms → (1000, 2500]: 1000 + 1500 × (95 − 85)/15 = 2000 ms;
    //      latency = 1000 / 2000 = 0.5
    // rating (all time, skill_metrics): ((3 × 5 + 18)/(5 + 4) − 1)/4 = 0.666667; usage = ln 101 / ln 101 = 1
    // score = 100 × (0.5 × 0.888248 + 0.25 × 0.5 + 0.15 × 0.666667 + 0.1 × 1) = 76.912 → 76.9
    const search = bySkill(healthReport(db, { now: NOW }), 'search');
    assert.equal(search.score, 76.9);
    close(search.components.success, 0.888248);
    assert.equal(search.components.latency, 0.5);
    close(search.components.rating, 2 / 3);
    assert.equal(search.components.usage, 1);
    assert.deepEqual(search.weights, { success: 0.5, latency: 0.25, rating: 0.15, usage: 0.1 });
    assert.deepEqual(
      [search.calls, search.lowConfidence, search.p95LatencyMs, search.latencyTargetMs, search.lastUsed, search.deprecatedCandidate],
      [100, false, 2000, 1000, '2026-03-09 10:00:00', false],
    );
  });

  it('gives the observed success rate beside its Wilson lower bound, the success component', () => {
    const rows = healthReport(db, { now: NOW });
    const search = bySkill(rows, 'search');
    assert.equal(search.successRate, 0.95);
    assert.equal(search.successLowerBound, search.components.success);
    close(search.successLowerBound, 0.888248);
    assert.deepEqual([bySkill(rows, 'perfect').successRate, bySkill(rows, 'tiny').successRate], [1, 1]);
    // no calls in the window: no rate, and a bound of 0
    assert.deepEqual([bySkill(rows, 'ghost').successRate, bySkill(rows, 'ghost').successLowerBound], [null, 0]);
  });

  it("measures latency against the skill's own target, else the default", () => {
    // latency = 1 under a 4000 ms target: 100 × (0.444124 + 0.25 + 0.1 + 0.1) = 89.4
    assert.equal(bySkill(healthReport(db, { now: NOW, latencyTargetsMs: { search: 4000 } }), 'search').score, 89.4);
    // 2000 ms target: latency 1 again
    assert.equal(bySkill(healthReport(db, { now: NOW, latencyTargetMs: 2000 }), 'search').score, 89.4);
    // a skill named like a property every object inherits still gets the default
    insertHourly(db, { skill: 'constructor', hour: '2026-03-06 10:00:00', calls: 20, latency: { 500: 20 } });
    const odd = bySkill(healthReport(db, { now: NOW, latencyTargetsMs: {} }), 'constructor');
    assert.deepEqual([odd.latencyTargetMs, odd.components.latency], [1000, 1]);
  });

  it('lists every known skill, best first, without a score below minCalls', () => {
    // perfect: 20/20, no latency, no ratings: 100 × (0.8333 × 0.838870 + 0.1667 × 0.659684) = 80.9
    // tiny: 10 calls < 20; stale, recent and ghost: no calls in the window
    const rows = healthReport(db, { now: NOW });
    assert.deepEqual(
      rows.map((row) => [row.skillId, row.score, row.calls, row.lowConfidence]),
      [
        ['perfect', 80.9, 20, false],
        ['search', 76.9, 100, false],
        ['tiny', undefined, 10, true],
        ['ghost', undefined, 0, true],
        ['recent', undefined, 0, true],
        ['stale', undefined, 0, true],
      ],
    );
    // tiny: Wilson(10, 10) = 20 / 27.6832 = 0.722460, usage ln 11 / ln 101 = 0.519574, still shown
    const tiny = bySkill(rows, 'tiny');
    close(tiny.components.success, 0.72246);
    close(tiny.components.usage, 0.519574);
    close(tiny.weights.success, 0.5 / 0.6);
  });

  it('flags skills unused for deprecatedAfterDays as deprecation candidates', () => {
    // last calls: stale 2026-01-20 10:00, recent 2026-02-09 10:00 (its later rating is no call),
    // ghost has no hourly rows: its skill_metrics.last_updated 2026-01-01 counts
    const rows = healthReport(db, { now: NOW });
    assert.deepEqual(
      ['stale', 'recent', 'ghost', 'tiny'].map((skillId) => [
        skillId,
        bySkill(rows, skillId).lastUsed,
        bySkill(rows, skillId).deprecatedCandidate,
      ]),
      [
        ['stale', '2026-01-20 10:00:00', true],
        ['recent', '2026-02-09 10:00:00', false],
        ['ghost', '2026-01-01 00:00:00', true],
        ['tiny', '2026-03-08 00:00:00', false],
      ],
    );
    // 60 days back is 2026-01-09 12:30: only ghost is older
    const longer = healthReport(db, { now: NOW, deprecatedAfterDays: 60 });
    assert.deepEqual(
      longer.filter((row) => row.deprecatedCandidate).map((row) => row.skillId),
      ['ghost'],
    );
  });

  it("scores one org's calls with orgId, still with the all-time rating", () => {
    // acme: 38/40, 30 calls up to 500 ms and 10 in (1000, 2500]
    // success = Wilson(38, 40) = (76 + 3.8416 − 1.96 × √11.4416)/87.6832 = 0.834958
    // p95: rank 38 → 1000 + 1500 × (38 − 30)/10 = 2200 ms, latency = 1000/2200 = 0.454545
    // usage = ln 41 / ln 101 = 0.804653
    // score = 100 × (0.417479 + 0.113636 + 0.1 + 0.080465) = 71.158 → 71.2
    assert.deepEqual(
      healthReport(db, { now: NOW, orgId: 'acme' }).map((row) => [row.skillId, row.score, row.p95LatencyMs, row.lastUsed]),
      [['search', 71.2, 2200, '2026-03-09 10:00:00']],
    );
  });

  it('keeps every score from 0 to 100 and every component from 0 to 1', () => {
    for (const row of healthReport(db, { now: NOW, minCalls: 1 })) {
      if (row.score !== undefined) assert.ok(row.score >= 0 && row.score <= 100, `${row.skillId}: ${row.score}`);
      for (const value of Object.values(row.components)) assert.ok(value >= 0 && value <= 1, `${row.skillId}: ${value}`);
    }
  });

  it('refuses targets that are not positive numbers', () => {
    assert.throws(
      () => healthReport(db, { latencyTargetsMs: { search: 0 } }),
      /^RangeError: healthReport: option "latencyTargetsMs.search" must be a number greater than 0, got 0$/,
    );
    assert.throws(
      () => healthReport(db, { latencyTargetsMs: [] as never }),
      /^TypeError: healthReport: option "latencyTargetsMs" must be an object/,
    );
    assert.throws(() => healthReport(db, { latencyTargetMs: -5 }), /option "latencyTargetMs" must be a number greater than 0, got -5/);
    assert.throws(
      () => healthReport(db, { deprecatedAfterDays: 0.5 }),
      /option "deprecatedAfterDays" must be a whole number, 1 or more, got 0.5/,
    );
  });
});
