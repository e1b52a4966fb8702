import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { compareIds, coUsagePairs, coUsageRows, type CoUsagePair } from '../../src/reports/coUsage.js';
import { coUsageMatrix } from '../../src/reports/coUsageMatrix.js';
import { windowUsersBySkill } from '../../src/reports/recommendationQueries.js';
import { recommend, RECOMMEND_DEFAULTS } from '../../src/reports/recommendations.js';
import { dayRange, resolveWindow } from '../../src/reports/window.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
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

const pair = (skillA: string, skillB: string, sharedUsers: number, usersA: number, usersB: number): CoUsagePair => ({
  skillA,
  skillB,
  sharedUsers,
  usersA,
  usersB,
});

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

describe('coUsageMatrix', () => {
  const database = useRecommendationsDatabase();
  beforeEach(() => insertUsers(database()));

  it('counts the users of every skill and the users each pair of skills shares, worked out by hand', () => {
    assert.deepEqual(coUsageMatrix(database(), { now: NOW }), {
      window: '30d',
      orgId: undefined,
      computedAt: '2026-03-10 12:30:00',
      pairs: EVERY_ORG,
    });
  });

  it('counts among the users of orgId only', () => {
    // acme: |a| = 3 (alice bob carol), |b| = 3 (alice bob dave), |c| = 3; each pair shares 2.
    const { pairs } = coUsageMatrix(database(), { orgId: 'acme', now: NOW });
    assert.deepEqual(
      pairs.filter((cell) => cell.skillA === 'a'),
      [pair('a', 'a', 3, 3, 3), pair('a', 'b', 2, 3, 3), pair('a', 'c', 2, 3, 3)],
    );
  });

  it('counts the baskets recorded after an earlier computation, writing nothing', () => {
    coUsageMatrix(database(), { now: NOW });
    recordBasket(database(), 'frank', 'acme', '2026-03-08', ['a', 'd']);
    const changes = database().prepare('SELECT total_changes()').pluck();
    const before = changes.get();
    const again = coUsageMatrix(database(), { now: NOW + MINUTE });
    assert.equal(again.computedAt, '2026-03-10 12:31:00');
    assert.deepEqual(again.pairs[0], pair('a', 'a', 5, 5, 5));
    assert.equal(changes.get(), before);
  });

  it('computes on a read-only connection', () => {
    const reader = openAnalyticsDatabase(database().name, { readonly: true });
    try {
      assert.deepEqual(coUsageMatrix(reader, { now: NOW }).pairs, EVERY_ORG);
    } finally {
      reader.close();
    }
  });

  it('rejects a malformed window, naming it', () => {
    assert.throws(() => coUsageMatrix(database(), { window: '7x' as never }), {
      name: 'RangeError',
      message: /^coUsageMatrix: window "7x" is malformed/,
    });
  });
});

describe('recommend and the co-usage matrix', () => {
  const database = useRecommendationsDatabase();
  beforeEach(() => insertUsers(database()));

  it("counts the rows of the user's own skills exactly as the whole matrix has them", () => {
    const sorted = (pairs: readonly CoUsagePair[]) =>
      [...pairs].sort((x, y) => compareIds(x.skillA, y.skillA) || compareIds(x.skillB, y.skillB));
    for (const orgId of [undefined, 'acme']) {
      const users = windowUsersBySkill(database(), dayRange(resolveWindow('30d', NOW)), orgId);
      for (const skills of [['a'], ['a', 'b'], ['b', 'c', 'd'], ['d'], ['x'], []]) {
        const basket = new Set(skills);
        const whole = coUsagePairs(users, RECOMMEND_DEFAULTS.minSharedUsers).filter((cell) => basket.has(cell.skillA));
        assert.deepEqual(
          sorted(coUsageRows(users, RECOMMEND_DEFAULTS.minSharedUsers, basket)),
          sorted(whole),
          `${skills.join(' ')} in ${orgId ?? 'every org'}`,
        );
      }
    }
  });

  it('names the counts of the data as it is at each call', () => {
    // alice {a b}: c shares bob and carol with a (2 of 4), bob and dave with b.
    const first = recommend(database(), { userId: 'alice', limit: 1, now: NOW });
    assert.equal(first[0]?.reason, 'users who used a also used c (2 of 4 users)');
    recordUse(database(), { user: 'frank', org: 'acme', day: '2026-03-08', skill: 'a' });
    recordUse(database(), { user: 'frank', org: 'acme', day: '2026-03-08', skill: 'c' });
    const next = recommend(database(), { userId: 'alice', limit: 1, now: NOW + MINUTE });
    assert.equal(next[0]?.reason, 'users who used a also used c (3 of 5 users)');
  });
});
