import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { latencyReport, type SkillLatencyReport } from '../../src/reports/latency.js';
import { insertHourly, NOW, useAnalyticsDatabase } from './helpers/fixtures.js';

const NO_ERRORS = { timeout: 0, cancelled: 0, validation: 0, auth: 0, rate_limited: 0, upstream: 0, internal: 0 };

function assertRows(actual: SkillLatencyReport[], expected: SkillLatencyReport[]): void {
  const rounded = (rows: SkillLatencyReport[]) =>
    rows.map((row) => ({ ...row, p50: round(row.p50), p95: round(row.p95), p99: round(row.p99), errorRate: round(row.errorRate) }));
  assert.deepEqual(rounded(actual), rounded(expected));
}

function round(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1e9) / 1e9;
}

describe('latencyReport', () => {
  const database = useAnalyticsDatabase();
  let db: Database.Database;

  beforeEach(() => {
    db = database();
    insertHourly(
      db,
      { skill: 'search', hour: '2026-03-05 10:00:00', calls: 40, failures: 4, latency: { 100: 10, 250: 30 }, errors: { timeout: 3, upstream: 1 } },
      {
        skill: 'search',
        org: 'acme',
        hour: '2026-03-09 10:00:00',
        calls: 60,
        failures: 6,
        latency: { 250: 20, 500: 30, 1000: 6, 2500: 3, 5000: 1 },
        errors: { timeout: 1, rate_limited: 5 },
      },
      { skill: 'fast', hour: '2026-03-05 10:00:00', calls: 10, latency: { 1: 10 } },
      { skill: 'slow', hour: '2026-03-05 10:00:00', calls: 4, failures: 4, latency: { inf: 4 }, errors: { internal: 4 } },
      { skill: 'untimed', hour: '2026-03-05 10:00:00', calls: 5 },
      { skill: '(overflow)', hour: '2026-03-05 10:00:00', calls: 2, latency: { 10: 2 } },
      { skill: 'rated', hour: '2026-03-05 10:00:00', ratingCount: 2, ratingSum: 9 },
      { skill: 'search', hour: '2026-02-26 10:00:00', calls: 1000, latency: { 60000: 1000 } },
    );
  });

  it('interpolates p50, p95 and p99 in the summed buckets as histogram_quantile does', () => {
    // search, both orgs: (50,100] 10, (100,250] 30 + 20, (250,500] 30, (500,1000] 6, (1000,2500] 3, (2500,5000] 1
    // cumulative 10, 60, 90, 96, 99, 100
    // p50: rank 50 → (100,250]: 100 + 150 × (50 − 10)/50 = 220
    // p95: rank 95 → (500,1000]: 500 + 500 × (95 − 90)/6 = 916.667
    // p99: rank 99 → (1000,2500]: 1000 + 1500 × (99 − 96)/3 = 2500
    // fast: 10 in [0,1]: p50 = 1 × 5/10 = 0.5, p95 = 0.95, p99 = 0.99
    // slow: all over 60 s: the highest finite bound, 60000, like Prometheus
    // (overflow), the calls of skills past the series limit, is real traffic: 2 in (5, 10]:
    // p50 = 5 + 5 × 1/2 = 7.5, p95 = 5 + 5 × 1.9/2 = 9.75, p99 = 5 + 5 × 1.98/2 = 9.95
    assertRows(latencyReport(db, { now: NOW }), [
      { skillId: 'search', calls: 100, p50: 220, p95: 500 + (500 * 5) / 6, p99: 2500, errorRate: 0.1, errors: { ...NO_ERRORS, timeout: 4, rate_limited: 5, upstream: 1 } },
      { skillId: 'fast', calls: 10, p50: 0.5, p95: 0.95, p99: 0.99, errorRate: 0, errors: NO_ERRORS },
      { skillId: 'untimed', calls: 5, p50: null, p95: null, p99: null, errorRate: 0, errors: NO_ERRORS },
      { skillId: 'slow', calls: 4, p50: 60000, p95: 60000, p99: 60000, errorRate: 1, errors: { ...NO_ERRORS, internal: 4 } },
      { skillId: '(overflow)', calls: 2, p50: 7.5, p95: 9.75, p99: 9.95, errorRate: 0, errors: NO_ERRORS },
    ]);
  });

  it("reads one org's buckets with orgId", () => {
    // acme: (100,250] 20, (250,500] 30, (500,1000] 6, (1000,2500] 3, (2500,5000] 1; cumulative 20, 50, 56, 59, 60
    // p50: rank 30 → 250 + 250 × (30 − 20)/30 = 333.333
    // p95: rank 57 → 1000 + 1500 × (57 − 56)/3 = 1500
    // p99: rank 59.4 → 2500 + 2500 × (59.4 − 59)/1 = 3500
    assertRows(latencyReport(db, { now: NOW, orgId: 'acme' }), [
      { skillId: 'search', calls: 60, p50: 250 + 250 / 3, p95: 1500, p99: 3500, errorRate: 0.1, errors: { ...NO_ERRORS, timeout: 1, rate_limited: 5 } },
    ]);
  });

  it('reads the window asked for', () => {
    // the previous week: search's 1000 calls between 30 and 60 s → p50 = 30000 + 30000 × 500/1000 = 45000
    const [search] = latencyReport(db, { now: NOW, window: { from: '2026-02-24', to: '2026-03-03' } });
    assert.deepEqual([search?.calls, search?.p50, search?.p99], [1000, 45000, 59700]);
  });

  it('refuses a malformed window', () => {
    assert.throws(() => latencyReport(db, { window: '7 days' as never }), /^RangeError: latencyReport: window "7 days" is malformed/);
  });
});
