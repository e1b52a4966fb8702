import assert from 'node:assert/strict';
import { coUsageCandidates, coUsagePairs } from '../../src/reports/coUsage.js';
import { windowPhrase } from '../../src/reports/recommendations.js';
import { trendingCandidates } from '../../src/reports/trendingCandidates.js';

describe('recommendation scoring', () => {
  describe('coUsagePairs', () => {
    // a: u1 u2 u3, b: u1 u2, c: u3.
    const usersBySkill = new Map([
      ['a', ['u1', 'u2', 'u3']],
      ['b', ['u1', 'u2']],
      ['c', ['u3']],
    ]);
    const pair = (skillA: string, skillB: string, sharedUsers: number, usersA: number, usersB: number) => ({
      skillA,
      skillB,
      sharedUsers,
      usersA,
      usersB,
    });

    it('gives each skill with its users, and both cells of every pair shared by enough users', () => {
      assert.deepEqual(coUsagePairs(usersBySkill, 2), [
        pair('a', 'a', 3, 3, 3),
        pair('a', 'b', 2, 3, 2),
        pair('b', 'a', 2, 2, 3),
        pair('b', 'b', 2, 2, 2),
        pair('c', 'c', 1, 1, 1),
      ]);
    });

    it('keeps pairs of a single shared user when allowed', () => {
      const cells = coUsagePairs(usersBySkill, 1).map((cell) => `${cell.skillA}${cell.skillB}${cell.sharedUsers}`);
      assert.deepEqual(cells, ['aa3', 'ab2', 'ba2', 'ac1', 'ca1', 'bb2', 'cc1']);
    });
  });

  describe('coUsageCandidates', () => {
    // Five users: u1 {a b y}, u2 {a b y}, u3 {a y}, u4 {b z}, u5 {a b}; the user's basket is {a, b}.
    // |a| = 4, |b| = 4, |y| = 3, |z| = 1.
    const baskets = [
      ['a', 'b', 'y'],
      ['a', 'b', 'y'],
      ['a', 'y'],
      ['b', 'z'],
      ['a', 'b'],
    ];
    const basket = new Set(['a', 'b']);

    it('averages the cosine similarities over the basket and names the strongest', () => {
      // y: a shares 3 → 3/√(4·3) = 0.86603; b shares 2 → 2/√(4·3) = 0.57735; mean 0.72169.
      // z: b shares 1, below the 2 shared users needed: no evidence.
      assert.deepEqual(coUsageCandidates({ baskets, basket, excluded: new Set(), minSharedUsers: 2 }), [
        {
          skillId: 'y',
          similarity: (3 / Math.sqrt(12) + 2 / Math.sqrt(12)) / 2,
          evidence: { basedOn: 'a', sharedUsers: 3, basedOnUsers: 4, similarity: 3 / Math.sqrt(12) },
        },
      ]);
    });

    it('takes single shared users as evidence when allowed', () => {
      // z: b shares 1 → 1/√(4·1) = 0.5; mean over the basket 0.25.
      const candidates = coUsageCandidates({ baskets, basket, excluded: new Set(), minSharedUsers: 1 });
      assert.deepEqual(
        candidates.map((candidate) => [candidate.skillId, candidate.similarity]),
        [
          ['y', (3 / Math.sqrt(12) + 2 / Math.sqrt(12)) / 2],
          ['z', 0.25],
        ],
      );
    });

    it('leaves out excluded skills', () => {
      assert.deepEqual(
        coUsageCandidates({ baskets, basket, excluded: new Set(['y']), minSharedUsers: 1 }).map((candidate) => candidate.skillId),
        ['z'],
      );
    });

    it('breaks ties by skill id, and evidence ties by more shared users, then by basket order', () => {
      // p and q: each shared by the same 2 of a's users, so equal similarity.
      const tied = coUsageCandidates({
        baskets: [
          ['a', 'q', 'p'],
          ['a', 'p', 'q'],
        ],
        basket: new Set(['a']),
        excluded: new Set(),
        minSharedUsers: 2,
      });
      assert.deepEqual(
        tied.map((candidate) => candidate.skillId),
        ['p', 'q'],
      );
      // y equally similar to b and c (1/1): the basket is walked in id order, so b is named.
      const evidence = coUsageCandidates({
        baskets: [['c', 'b', 'y']],
        basket: new Set(['c', 'b']),
        excluded: new Set(),
        minSharedUsers: 1,
      });
      assert.equal(evidence[0]?.evidence.basedOn, 'b');
    });

    it('returns nothing for a basket nobody else shares', () => {
      assert.deepEqual(
        coUsageCandidates({ baskets: [['x'], ['y', 'z']], basket: new Set(['x']), excluded: new Set(), minSharedUsers: 1 }),
        [],
      );
    });
  });

  describe('trendingCandidates', () => {
    const input = { excluded: new Set<string>(), minCalls: 10, windowPhrase: 'this week' };

    it('ranks rising skills by growth above popular ones by calls', () => {
      const calls = [
        { skillId: 'flat', calls: 100, previousCalls: 100 },
        { skillId: 'up50', calls: 15, previousCalls: 10 },
        { skillId: 'new', calls: 50, previousCalls: 0 },
      ];
      assert.deepEqual(trendingCandidates({ ...input, calls }), [
        { skillId: 'up50', score: 0.25 + (0.25 * 0.5) / 1.5, reason: 'trending: calls up 50% this week' },
        { skillId: 'flat', score: 0.25, reason: 'popular: 100 calls this week' },
        { skillId: 'new', score: 0.125, reason: 'popular: 50 calls this week' },
      ]);
    });

    it('does not call growth under 1% trending', () => {
      const [only] = trendingCandidates({ ...input, calls: [{ skillId: 'a', calls: 1004, previousCalls: 1000 }] });
      assert.equal(only?.reason, 'popular: 1004 calls this week');
    });

    it('keeps every score within 0 to 0.5, even for enormous growth', () => {
      const [only] = trendingCandidates({ ...input, calls: [{ skillId: 'a', calls: Number.MAX_SAFE_INTEGER, previousCalls: 10 }] });
      assert.ok((only?.score ?? 1) <= 0.5);
    });

    it('normalises popularity over every skill with real usage, including excluded ones', () => {
      const calls = [
        { skillId: 'mine', calls: 200, previousCalls: 0 },
        { skillId: 'other', calls: 50, previousCalls: 0 },
      ];
      assert.deepEqual(trendingCandidates({ ...input, calls, excluded: new Set(['mine']) }), [
        { skillId: 'other', score: 0.0625, reason: 'popular: 50 calls this week' },
      ]);
    });
  });

  describe('windowPhrase', () => {
    const range = { from: '2026-03-01 00:00:00', to: '2026-03-08 00:00:00' };
    it('names relative and explicit windows', () => {
      assert.equal(windowPhrase({ ...range, label: '7d' }), 'this week');
      assert.equal(windowPhrase({ ...range, label: '30d' }), 'in the last 30 days');
      assert.equal(windowPhrase({ ...range, label: '24h' }), 'in the last 24 hours');
      assert.equal(windowPhrase({ ...range, label: '1d' }), 'in the last day');
      assert.equal(
        windowPhrase({ ...range, label: '2026-03-01 00:00:00..2026-03-08 00:00:00' }),
        'between 2026-03-01 00:00:00 and 2026-03-08 00:00:00 UTC',
      );
    });
  });
});
