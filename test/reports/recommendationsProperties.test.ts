import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import fc from 'fast-check';
import { recommend, recommendationEffectiveness, type Recommendation } from '../../src/reports/recommendations.js';
import { dayRange, resolveWindow } from '../../src/reports/window.js';
import { logRows, NOW, recordUse, useRecommendationsDatabase, type Use } from './recommendationsFixtures.js';

const USERS = Array.from({ length: 10 }, (_, i) => `u${i}`);
const SKILLS = [...Array.from({ length: 14 }, (_, i) => `s${i}`), '(overflow)'];
const DAY = 86_400_000;

const orgArbitrary = fc.constantFrom('', 'acme', 'globex');
const callsArbitrary = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 40 }), weight: 9 }, { arbitrary: fc.constant(0), weight: 1 });
const daysAgoArbitrary = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 8 }), weight: 2 },
  { arbitrary: fc.integer({ min: 0, max: 70 }), weight: 1 },
);

/** One user's activity with one skill on one day, `daysAgo` before NOW. */
const useArbitrary = fc.record({
  user: fc.constantFrom(...USERS),
  skill: fc.constantFrom(...SKILLS),
  org: orgArbitrary,
  daysAgo: daysAgoArbitrary,
  calls: callsArbitrary,
  installs: fc.integer({ min: 0, max: 1 }),
});

/** A user using a few skills together on one day: what makes co-usage. The first users are rarer, so their baskets are small. */
const basketArbitrary = fc.record({
  user: fc.constantFrom(...USERS, ...USERS.slice(3)),
  skills: fc.subarray(SKILLS, { minLength: 2, maxLength: 4 }),
  org: orgArbitrary,
  daysAgo: daysAgoArbitrary,
  calls: callsArbitrary,
});

const scenarioArbitrary = fc.record({
  baskets: fc.array(basketArbitrary, { maxLength: 40, size: 'max' }),
  noise: fc.array(useArbitrary, { maxLength: 15 }),
  userId: fc.constantFrom(...USERS.slice(0, 3), 'stranger'),
  /** Skills the user called lately, if any. */
  recent: fc.option(fc.subarray(SKILLS, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 4 }),
  limit: fc.integer({ min: 1, max: 8 }),
  window: fc.constantFrom('24h' as const, '7d' as const, '30d' as const, '30d' as const),
  orgId: fc.option(fc.constantFrom('acme', 'globex'), { nil: undefined, freq: 2 }),
});

type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

const ROUNDING_TIE: Scenario = {
  baskets: [
    { user: 'u3', skills: ['s6', '(overflow)'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u0', skills: ['s1', 's6', 's13'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u9', skills: ['s10', 's12'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u6', skills: ['s6', '(overflow)'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u2', skills: ['s1', 's4', 's7'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u3', skills: ['s10', '(overflow)'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u5', skills: ['s1', 's11'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u9', skills: ['s1', 's6', 's12', '(overflow)'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u9', skills: ['s0', 's9'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u2', skills: ['s9', '(overflow)'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u3', skills: ['s1', 's9'], org: '', daysAgo: 0, calls: 1 },
    { user: 'u7', skills: ['s1', 's8'], org: '', daysAgo: 0, calls: 1 },
  ],
  noise: [],
  userId: 'u0',
  recent: undefined,
  limit: 2,
  window: '24h',
  orgId: undefined,
};

/** Every use of a scenario: each basket's skills, the noise, then what the user called yesterday. */
function usesOf(scenario: Scenario): (Omit<Use, 'day'> & { daysAgo: number })[] {
  return [
    ...scenario.baskets.flatMap(({ skills, ...basket }) => skills.map((skill) => ({ ...basket, skill }))),
    ...scenario.noise,
    ...(scenario.recent ?? []).map((skill) => ({ user: scenario.userId, skill, org: 'acme', daysAgo: 1, calls: 3 })),
  ];
}

/**
 * Replaces the aggregates with the scenario's, in one transaction (a file database commits slowly).
 * The co-usage cache goes too: every scenario runs at the same NOW, where it would still be fresh.
 */
function load(db: Database.Database, scenario: Scenario): void {
  db.transaction(() => {
    for (const table of ['skill_user_daily', 'skill_user_first', 'skill_usage_hourly', 'skill_usage_by_day', 'recommendation_log'])
      db.prepare(`DELETE FROM ${table}`).run();
    db.prepare("DELETE FROM toolweaver_meta WHERE key = 'by_day_through'").run();
    for (const { daysAgo, ...use } of usesOf(scenario))
      recordUse(db, { ...use, day: new Date(NOW - daysAgo * DAY).toISOString().slice(0, 10) });
  })();
}

function run(db: Database.Database, scenario: Scenario): Recommendation[] {
  return recommend(db, { userId: scenario.userId, limit: scenario.limit, window: scenario.window, orgId: scenario.orgId, now: NOW });
}

/**
 * The co-usage recommendations worked out the slow, obvious way from every row: for each skill y
 * the user never touched, the mean over the user's window skills x of |U(x) ∩ U(y)| / √(|U(x)|·|U(y)|),
 * pairs shared by fewer than 2 users counting 0.
 */
function bruteForceCoUsage(db: Database.Database, scenario: Scenario): Omit<Recommendation, 'id'>[] {
  const { fromDay, toDay } = dayRange(resolveWindow(scenario.window, NOW));
  type Row = { user_id: string; skill_id: string; org_id: string; day: string; execution_count: number };
  const rows = db.prepare('SELECT user_id, skill_id, org_id, day, execution_count FROM skill_user_daily').all() as Row[];
  const inWindow = rows.filter((row) => row.day >= fromDay && row.day < toDay && row.execution_count > 0);
  const users = new Map<string, Set<string>>();
  for (const row of inWindow.filter((row) => scenario.orgId === undefined || row.org_id === scenario.orgId)) {
    users.set(row.skill_id, (users.get(row.skill_id) ?? new Set()).add(row.user_id));
  }
  const basket = [...new Set(inWindow.filter((row) => row.user_id === scenario.userId).map((row) => row.skill_id))].sort();
  const touched = new Set(db.prepare('SELECT skill_id FROM skill_user_first WHERE user_id = ?').pluck().all(scenario.userId) as string[]);
  const results: Omit<Recommendation, 'id'>[] = [];
  for (const [skillId, usersOfY] of users) {
    if (touched.has(skillId) || skillId === '(overflow)') continue;
    let total = 0;
    let best: { x: string; shared: number; n: number; cos: number } | undefined;
    for (const x of basket) {
      const usersOfX = users.get(x) ?? new Set<string>();
      const shared = [...usersOfX].filter((user) => usersOfY.has(user)).length;
      if (shared < 2) continue;
      const cos = shared / Math.sqrt(usersOfX.size * usersOfY.size);
      total += cos;
      if (best === undefined || cos > best.cos || (cos === best.cos && shared > best.shared)) best = { x, shared, n: usersOfX.size, cos };
    }
    if (best === undefined) continue;
    const reason = `users who used ${best.x} also used ${skillId} (${best.shared} of ${best.n} users)`;
    results.push({ skillId, score: 0.5 + 0.5 * (total / basket.length), reason, source: 'co_usage' });
  }
  // Scores equal but for floating-point rounding are a tie, broken by the smaller id, as documented.
  return results.sort((a, b) => (Math.abs(b.score - a.score) > 1e-12 ? b.score - a.score : a.skillId < b.skillId ? -1 : 1));
}

describe('recommendation properties', () => {
  const database = useRecommendationsDatabase();

  it('generates scenarios with co-usage, with trending only, and with nothing to recommend', () => {
    // Guards the properties below against passing vacuously on data too sparse to co-use.
    const seen = { co_usage: 0, trending: 0, nothing: 0 };
    for (const scenario of fc.sample(scenarioArbitrary, { numRuns: 300, seed: 7 })) {
      load(database(), scenario);
      const sources = new Set(run(database(), scenario).map((recommendation) => recommendation.source));
      if (sources.has('co_usage')) seen.co_usage++;
      else if (sources.has('trending')) seen.trending++;
      else seen.nothing++;
    }
    assert.ok(
      Object.values(seen).every((count) => count >= 45),
      JSON.stringify(seen),
    );
  });

  it('recommends from co-usage exactly what a brute-force count over every row gives', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        load(database(), scenario);
        const coUsage = run(database(), scenario).filter((recommendation) => recommendation.source === 'co_usage');
        // Scores are compared to 12 decimals: the brute force sums the same cosines in another order.
        const rounded = <T extends { score: number }>(items: T[]) =>
          items.map((item) => ({ ...item, score: Number(item.score.toFixed(12)) }));
        assert.deepEqual(
          rounded(coUsage.map(({ id: _id, ...rest }) => rest)),
          rounded(bruteForceCoUsage(database(), scenario).slice(0, scenario.limit)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('gives scores from 0 to 1, distinct skills, at most limit, co-usage first and above every trending score', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        load(database(), scenario);
        const recommendations = run(database(), scenario);
        assert.ok(recommendations.length <= scenario.limit);
        assert.equal(new Set(recommendations.map((recommendation) => recommendation.skillId)).size, recommendations.length);
        for (const { score } of recommendations) assert.ok(score >= 0 && score <= 1, String(score));
        const sources = recommendations.map((recommendation) => recommendation.source);
        assert.deepEqual(sources, [...sources].sort(), 'co_usage before trending');
        for (const { score, source } of recommendations)
          assert.ok(source === 'co_usage' ? score > 0.5 : score <= 0.5, `${source} ${score}`);
        for (let i = 1; i < recommendations.length; i++)
          assert.ok(recommendations[i - 1]!.score >= recommendations[i]!.score, 'best first');
      }),
      // The example is what seed 480839997 found: two similarities equal but for rounding, listed by
      // id (s10 before s9) while the second one's score was larger in the last bit.
      { numRuns: 150, examples: [[ROUNDING_TIE]] },
    );
  });

  it('never recommends a skill the user has called, rated or installed, nor the overflow series', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        load(database(), scenario);
        const touched = new Set(
          usesOf(scenario)
            .filter((use) => use.user === scenario.userId)
            .map((use) => use.skill),
        );
        for (const { skillId } of run(database(), scenario)) {
          assert.ok(!touched.has(skillId), `${skillId} was used by ${scenario.userId}`);
          assert.notEqual(skillId, '(overflow)');
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same list for the same data, and logs exactly what it returns', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        load(database(), scenario);
        const first = run(database(), scenario);
        const second = run(database(), scenario);
        const strip = (list: Recommendation[]) => list.map(({ id: _id, ...rest }) => rest);
        assert.deepEqual(strip(second), strip(first));
        const logged = logRows(database()).map((row) => ({
          id: row['id'],
          skillId: row['recommended_skill_id'],
          score: row['score'],
          reason: row['reason'],
          source: row['source'],
        }));
        assert.deepEqual(logged, [...first, ...second]);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps effectiveness consistent: used within recommended, sources adding up, rates from 0 to 1', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.array(useArbitrary, { maxLength: 20 }), (scenario, later) => {
        load(database(), scenario);
        for (const userId of [...USERS, 'stranger']) recommend(database(), { userId, limit: scenario.limit, now: NOW });
        for (const { daysAgo, ...use } of later)
          recordUse(database(), { ...use, day: new Date(NOW + (daysAgo % 5) * DAY).toISOString().slice(0, 10) });
        const report = recommendationEffectiveness(database(), { now: NOW + 5 * DAY });
        const { co_usage: coUsage, trending } = report.bySource;
        assert.ok(report.used <= report.recommended && report.recommended <= report.logged);
        assert.equal(coUsage.recommended + trending.recommended, report.recommended);
        assert.equal(coUsage.used + trending.used, report.used);
        assert.equal(
          Object.values(report.outcomes).reduce((sum, count) => sum + count, 0),
          report.recommended,
        );
        for (const figures of [report, coUsage, trending]) {
          assert.ok(figures.rate === null ? figures.recommended === 0 : figures.rate >= 0 && figures.rate <= 1);
        }
      }),
      { numRuns: 60 },
    );
  });
});
