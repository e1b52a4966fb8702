import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { latencyReport, type SkillLatencyReport } from '../../src/reports/latency.js';
import { insertHourly, insertUsage, NOW, useAnalyticsDatabase } from './helpers/fixtures.js';

const NO_ERRORS = { timeout: 0, cancelled: 0, validation: 0, auth: 0, rate_limited: 0, upstream: 0, internal: 0 };

/** The fields these rows pin: the exact extremes and `estimated` have tests of their own below. */
type Pinned = Omit<SkillLatencyReport, 'minMs' | 'avgMs' | 'maxMs' | 'estimated'>;

function assertRows(actual: SkillLatencyReport[], expected: Pinned[]): void {
  const rounded = (rows: Pinned[]) =>
    rows.map(({ skillId, calls, p50, p95, p99, errorRate, errors }) => ({
      skillId,
      calls,
      p50: round(p50),
      p95: round(p95),
      p99: round(p99),
      errorRate: round(errorRate),
      errors,
    }));
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
      {
        skill: 'search',
        hour: '2026-03-05 10:00:00',
        calls: 40,
        failures: 4,
        latency: { 100: 10, 250: 30 },
        errors: { timeout: 3, upstream: 1 },
      },
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
      {
        skillId: 'search',
        calls: 100,
        p50: 220,
        p95: 500 + (500 * 5) / 6,
        p99: 2500,
        errorRate: 0.1,
        errors: { ...NO_ERRORS, timeout: 4, rate_limited: 5, upstream: 1 },
      },
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
      {
        skillId: 'search',
        calls: 60,
        p50: 250 + 250 / 3,
        p95: 1500,
        p99: 3500,
        errorRate: 0.1,
        errors: { ...NO_ERRORS, timeout: 1, rate_limited: 5 },
      },
    ]);
  });

  it('reads the window asked for', () => {
    // the previous week: search's 1000 calls between 30 and 60 s → p50 = 30000 + 30000 × 500/1000 = 45000
    const [search] = latencyReport(db, { now: NOW, window: { from: '2026-02-24', to: '2026-03-03' } });
    assert.deepEqual([search?.calls, search?.p50, search?.p99], [1000, 45000, 59700]);
  });

  it('gives the exact min, average and max, and keeps every percentile within [min, max]', () => {
    // five calls of 101 to 130 ms, all in (100, 250]: the buckets say p50 = 175, p95 = 242.5, p99 = 248.5
    insertHourly(db, { skill: 'five', org: 'acme', hour: '2026-03-09 10:00:00', calls: 5, latency: { 250: 5 }, latencySumMs: 566 });
    insertUsage(db, { skill: 'five', org: 'acme', timestamp: '2026-03-09 10:05:00', calls: 3, minMs: 101, maxMs: 120 });
    insertUsage(db, { skill: 'five', org: 'acme', timestamp: '2026-03-09 10:15:00', calls: 2, minMs: 110, maxMs: 130 });
    // outside the window, and a row of another org: neither counts
    insertUsage(db, { skill: 'five', org: 'acme', timestamp: '2026-02-26 10:00:00', calls: 1, minMs: 5, maxMs: 9000 });
    insertUsage(db, { skill: 'five', org: 'globex', timestamp: '2026-03-09 10:00:00', calls: 1, minMs: 7, maxMs: 8000 });
    const five = latencyReport(db, { now: NOW, orgId: 'acme' }).find((row) => row.skillId === 'five');
    assert.deepEqual(
      [five?.skillId, five?.minMs, five?.avgMs, five?.maxMs, five?.p50, five?.p95, five?.p99, five?.estimated],
      ['five', 101, 113.2, 130, 130, 130, 130, true],
    );
    // every org: globex's 7 ms and 8000 ms calls are in the raw rows but not in these hourly rows;
    // the report takes the extremes of the raw rows of the window as they are
    const all = latencyReport(db, { now: NOW }).find((row) => row.skillId === 'five');
    assert.deepEqual([all?.minMs, all?.maxMs, all?.p50, all?.p95], [7, 8000, 175, 242.5]);
  });

  it('reads no raw rows for a skill with more than 1000 timed calls: no min or max, the bucket estimates', () => {
    insertHourly(db, { skill: 'busy', hour: '2026-03-09 10:00:00', calls: 1001, latency: { 250: 1001 }, latencySumMs: 120_120 });
    insertUsage(db, { skill: 'busy', timestamp: '2026-03-09 10:05:00', calls: 1001, minMs: 110, maxMs: 130 });
    const busy = latencyReport(db, { now: NOW }).find((row) => row.skillId === 'busy');
    assert.deepEqual([busy?.minMs, busy?.avgMs, busy?.maxMs, busy?.p50, busy?.estimated], [null, 120, null, 175, false]);
  });

  it('knows the one timed call of a window exactly, even without raw rows, and marks only estimates', () => {
    insertHourly(db, { skill: 'once', hour: '2026-03-09 10:00:00', calls: 1, latency: { 250: 1 }, latencySumMs: 121 });
    const rows = latencyReport(db, { now: NOW });
    const once = rows.find((row) => row.skillId === 'once');
    const shown = [once?.minMs, once?.avgMs, once?.maxMs, once?.p50, once?.p95, once?.p99, once?.estimated];
    assert.deepEqual(shown, [121, 121, 121, 121, 121, 121, false]);
    // without raw rows the extremes of more calls are unknown: the bucket estimates stand, marked below 20 calls
    const slow = rows.find((row) => row.skillId === 'slow');
    assert.deepEqual([slow?.minMs, slow?.maxMs, slow?.p95, slow?.estimated], [null, null, 60000, true]);
    const search = rows.find((row) => row.skillId === 'search');
    assert.deepEqual([search?.minMs, search?.maxMs, search?.estimated], [null, null, false]);
    // no timed call: nothing to give
    const untimed = rows.find((row) => row.skillId === 'untimed');
    assert.deepEqual([untimed?.minMs, untimed?.avgMs, untimed?.maxMs, untimed?.p50, untimed?.estimated], [null, null, null, null, false]);
  });

  it('refuses a malformed window', () => {
    assert.throws(() => latencyReport(db, { window: '7 days' as never }), /^RangeError: latencyReport: window "7 days" is malformed/);
  });
});
