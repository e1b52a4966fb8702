import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import type { CoUsagePair } from '../../src/reports/coUsage.js';
import { CO_USAGE_CACHE_SQL } from '../../src/reports/coUsageCache.js';
import { CO_USAGE_DEFAULTS, coUsageMatrix } from '../../src/reports/coUsageMatrix.js';
import { recommend, RECOMMEND_DEFAULTS, type Recommendation } from '../../src/reports/recommendations.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { applyRetention } from '../../src/store/retention.js';
import { countRows } from '../sqlite-exporter/helpers/rows.js';
import { NOW, recordBasket, recordUse, useRecommendationsDatabase } from './recommendationsFixtures.js';

const MINUTE = 60_000;

/**
 * Five users in the 30d window before NOW:
 *
 *   acme    alice {a b}, bob {a b c}, carol {a c}, dave {b c d}
 *   globex  erin {a b}
 *
 * |a| = 4, |b| = 4, |c| = 3, |d| = 1; a and b share alice, bob and erin, a and c bob and carol,
 * b and c bob and dave; d shares only dave, with b and c: one user is no evidence.
 */
function insertUsers(db: Database.Database): void {
  recordBasket(db, 'alice', 'acme', '2026-03-05', ['a', 'b']);
  recordBasket(db, 'bob', 'acme', '2026-03-05', ['a', 'b', 'c']);
  recordBasket(db, 'carol', 'acme', '2026-03-06', ['a', 'c']);
  recordBasket(db, 'dave', 'acme', '2026-03-06', ['b', 'c', 'd']);
  recordBasket(db, 'erin', 'globex', '2026-03-07', ['a', 'b']);
}

const pair = (skillA: string, skillB: string, sharedUsers: number, usersA: number, usersB: number): CoUsagePair => ({ skillA, skillB, sharedUsers, usersA, usersB });

const EVERY_ORG = [
  pair('a', 'a', 4, 4, 4),
  pair('a', 'b', 3, 4, 4),
  pair('a', 'c', 2, 4, 3),
  pair('b', 'a', 3, 4, 4),
  pair('b', 'b', 4, 4, 4),
  pair('b', 'c', 2, 4, 3),
  pair('c', 'a', 2, 3, 4),
  pair('c', 'b', 2, 3, 4),
  pair('c', 'c', 3, 3, 3),
  pair('d', 'd', 1, 1, 1),
];

function withoutIds(recommendations: readonly Recommendation[]): Omit<Recommendation, 'id'>[] {
  return recommendations.map(({ id: _id, ...rest }) => rest);
}

describe('coUsageMatrix', () => {
  const database = useRecommendationsDatabase();
  beforeEach(() => insertUsers(database()));

  it('counts the users of every skill and the users each pair of skills shares, worked out by hand', () => {
    assert.deepEqual(coUsageMatrix(database(), { now: NOW }), {
      window: '30d',
      orgId: undefined,
      computedAt: '2026-03-10 12:30:00',
      fromCache: false,
      pairs: EVERY_ORG,
    });
  });

  it('counts among the users of orgId only', () => {
    // acme: |a| = 3 (alice bob carol), |b| = 3 (alice bob dave), |c| = 3; each pair shares 2.
    const { pairs } = coUsageMatrix(database(), { orgId: 'acme', now: NOW });
    assert.deepEqual(pairs.filter((cell) => cell.skillA === 'a'), [pair('a', 'a', 3, 3, 3), pair('a', 'b', 2, 3, 3), pair('a', 'c', 2, 3, 3)]);
  });

  it('serves the matrix from co_usage_cache while it is younger than maxAgeMs, then recomputes it', () => {
    coUsageMatrix(database(), { now: NOW });
    recordBasket(database(), 'frank', 'acme', '2026-03-08', ['a', 'd']);
    const cached = coUsageMatrix(database(), { now: NOW + 4 * MINUTE });
    assert.deepEqual({ ...cached, pairs: cached.pairs.length }, { window: '30d', orgId: undefined, computedAt: '2026-03-10 12:30:00', fromCache: true, pairs: EVERY_ORG.length });
    assert.deepEqual(cached.pairs, EVERY_ORG, 'frank is not counted yet');
    // Five minutes old is stale (the default maxAgeMs): frank counts now.
    const fresh = coUsageMatrix(database(), { now: NOW + 5 * MINUTE });
    assert.equal(fresh.fromCache, false);
    assert.equal(fresh.computedAt, '2026-03-10 12:35:00');
    assert.deepEqual(fresh.pairs[0], pair('a', 'a', 5, 5, 5));
    assert.deepEqual(coUsageMatrix(database(), { now: NOW + 6 * MINUTE }).pairs, fresh.pairs, 'the recomputed matrix replaced the cached one');
  });

  it('always recomputes with maxAgeMs 0, and caches what it computed', () => {
    coUsageMatrix(database(), { now: NOW });
    recordBasket(database(), 'frank', 'acme', '2026-03-08', ['a', 'd']);
    const computed = coUsageMatrix(database(), { now: NOW, maxAgeMs: 0 });
    assert.equal(computed.fromCache, false);
    assert.deepEqual(computed.pairs[0], pair('a', 'a', 5, 5, 5));
    assert.deepEqual(coUsageMatrix(database(), { now: NOW }), { ...computed, fromCache: true });
    assert.equal(CO_USAGE_DEFAULTS.maxAgeMs, 300_000);
    assert.equal(RECOMMEND_DEFAULTS.maxAgeMs, CO_USAGE_DEFAULTS.maxAgeMs);
  });

  it('keeps one matrix per org and per window', () => {
    coUsageMatrix(database(), { now: NOW });
    const acme = coUsageMatrix(database(), { orgId: 'acme', now: NOW });
    const week = coUsageMatrix(database(), { window: '7d', now: NOW });
    assert.deepEqual([acme.fromCache, week.fromCache], [false, false]);
    assert.deepEqual(coUsageMatrix(database(), { now: NOW }), { window: '30d', orgId: undefined, computedAt: '2026-03-10 12:30:00', fromCache: true, pairs: EVERY_ORG });
    assert.deepEqual(coUsageMatrix(database(), { orgId: 'acme', now: NOW }), { ...acme, fromCache: true });
    const keys = database().prepare('SELECT DISTINCT time_window, org_id FROM co_usage_cache ORDER BY 1, 2').raw().all();
    assert.deepEqual(keys, [['30d', ''], ['30d', 'acme'], ['7d', '']]);
  });

  it('computes without caching on a read-only connection', () => {
    const reader = openAnalyticsDatabase(database().name, { readonly: true });
    try {
      const matrix = coUsageMatrix(reader, { now: NOW });
      assert.deepEqual([matrix.fromCache, matrix.pairs], [false, EVERY_ORG]);
    } finally {
      reader.close();
    }
    assert.equal(countRows(database(), 'co_usage_cache'), 0);
  });

  it('reads and replaces the cache through its primary key', () => {
    for (const sql of CO_USAGE_CACHE_SQL.filter((statement) => !statement.startsWith('INSERT'))) {
      const parameters = sql.match(/\?/g)?.length ?? 0;
      const plan = database()
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...new Array<string>(parameters).fill('x')) as { detail: string }[];
      assert.ok(
        plan.some((step) => step.detail.startsWith('SEARCH co_usage_cache USING PRIMARY KEY (time_window=? AND org_id=?')),
        `${sql}\n  ${plan.map((step) => step.detail).join('\n  ')}`,
      );
    }
  });

  it('is pruned by retention, by computed_at, like leaderboard_cache', () => {
    // A 7d matrix computed 40 days before NOW, over a basket of the day before; then the 30d one at NOW.
    recordBasket(database(), 'old', 'acme', '2026-01-28', ['a', 'b']);
    const old = coUsageMatrix(database(), { window: '7d', now: Date.parse('2026-01-29T00:00:00Z') });
    coUsageMatrix(database(), { now: NOW });
    const { deleted } = applyRetention(database(), { retentionDays: 30, now: NOW });
    assert.equal(deleted.co_usage_cache, old.pairs.length);
    assert.deepEqual(database().prepare('SELECT DISTINCT time_window FROM co_usage_cache').pluck().all(), ['30d']);
  });

  it('rejects an invalid maxAgeMs, naming it', () => {
    assert.throws(() => coUsageMatrix(database(), { maxAgeMs: -1 }), { name: 'RangeError', message: /^coUsageMatrix: option "maxAgeMs" must be a number 0 or more, got -1/ });
    assert.throws(() => coUsageMatrix(database(), { maxAgeMs: '5m' as never }), { name: 'TypeError', message: /^coUsageMatrix: option "maxAgeMs" must be a number/ });
    assert.throws(() => coUsageMatrix(database(), { window: '7x' as never }), { name: 'RangeError', message: /^coUsageMatrix: window "7x" is malformed/ });
    assert.throws(() => recommend(database(), { userId: 'alice', maxAgeMs: -1 }), { name: 'RangeError', message: /^recommend: option "maxAgeMs"/ });
  });
});

describe('recommend with the co-usage cache', () => {
  const database = useRecommendationsDatabase();
  beforeEach(() => insertUsers(database()));

  it('gives the same recommendations from the cache as from a fresh computation', () => {
    for (const orgId of [undefined, 'acme']) {
      for (const userId of ['alice', 'carol', 'dave', 'erin']) {
        const computed = recommend(database(), { userId, orgId, limit: 10, maxAgeMs: 0, now: NOW });
        assert.equal(coUsageMatrix(database(), { orgId, now: NOW }).fromCache, true, 'recommend cached the matrix');
        assert.deepEqual(withoutIds(recommend(database(), { userId, orgId, limit: 10, now: NOW })), withoutIds(computed), `${userId} in ${orgId ?? 'every org'}`);
      }
    }
  });

  it('names the counts of the cached matrix until it is maxAgeMs old', () => {
    // alice {a b}: c shares bob and carol with a (2 of 4), bob and dave with b.
    const first = recommend(database(), { userId: 'alice', limit: 1, now: NOW });
    assert.equal(first[0]?.reason, 'users who used a also used c (2 of 4 users)');
    recordUse(database(), { user: 'frank', org: 'acme', day: '2026-03-08', skill: 'a' });
    recordUse(database(), { user: 'frank', org: 'acme', day: '2026-03-08', skill: 'c' });
    const cached = recommend(database(), { userId: 'alice', limit: 1, now: NOW + MINUTE });
    assert.equal(cached[0]?.reason, 'users who used a also used c (2 of 4 users)');
    const stale = recommend(database(), { userId: 'alice', limit: 1, now: NOW + MINUTE, maxAgeMs: MINUTE });
    assert.equal(stale[0]?.reason, 'users who used a also used c (3 of 5 users)');
  });
});
