import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { recommend, recommendationEffectiveness, recordRecommendationOutcome } from '../../src/reports/recommendations.js';
import { NOW, recordBasket, recordUse, useRecommendationsDatabase } from './recommendationsFixtures.js';

const HOUR = 3_600_000;
const LATER = Date.parse('2026-03-14T09:00:00Z');

/** A neighbourhood in which alice gets code_exec, image_gen and translate from co-usage, pdf_reader from trending. */
function insertUsers(db: Database.Database): void {
  recordBasket(db, 'alice', 'acme', '2026-03-02', ['web_search', 'summarize']);
  recordBasket(db, 'bob', 'acme', '2026-03-03', ['web_search', 'translate']);
  recordBasket(db, 'carol', 'acme', '2026-03-04', ['web_search', 'translate']);
  recordBasket(db, 'erin', 'acme', '2026-03-06', ['summarize', 'code_exec']);
  recordBasket(db, 'frank', 'acme', '2026-03-07', ['summarize', 'code_exec']);
  recordUse(db, { user: 'grace', org: 'acme', day: '2026-03-08', skill: 'pdf_reader', calls: 10 });
  recordBasket(db, 'heidi', 'globex', '2026-03-03', ['web_search', 'image_gen']);
  recordBasket(db, 'ivan', 'globex', '2026-03-04', ['web_search', 'image_gen']);
}

describe('recommendationEffectiveness', () => {
  const database = useRecommendationsDatabase();
  beforeEach(() => insertUsers(database()));

  it('is empty, with no rate, before anything was recommended', () => {
    const none = { none: 0, dismissed: 0, clicked: 0, installed: 0, used: 0 };
    const empty = { recommended: 0, used: 0, rate: null, outcomes: none };
    assert.deepEqual(recommendationEffectiveness(database(), { now: NOW }), {
      window: '30d',
      from: '2026-02-08 13:00:00',
      to: '2026-03-10 13:00:00',
      orgId: undefined,
      logged: 0,
      ...empty,
      bySource: { co_usage: empty, trending: empty },
    });
  });

  it('counts the recommended skills used afterwards, overall and by source, with the outcomes', () => {
    const first = recommend(database(), { userId: 'alice', now: NOW });
    assert.deepEqual(
      first.map((recommendation) => [recommendation.skillId, recommendation.source]),
      [
        ['code_exec', 'co_usage'],
        ['image_gen', 'co_usage'],
        ['translate', 'co_usage'],
        ['pdf_reader', 'trending'],
      ],
    );
    // Shown again an hour later: the same four pairs, eight log rows.
    const again = recommend(database(), { userId: 'alice', now: NOW + HOUR });
    const idOf = (list: typeof first, skillId: string) => list.find((recommendation) => recommendation.skillId === skillId)?.id ?? 0;
    recordRecommendationOutcome(database(), idOf(first, 'translate'), 'clicked', NOW + HOUR);
    recordRecommendationOutcome(database(), idOf(again, 'translate'), 'used', NOW + 2 * HOUR);
    recordRecommendationOutcome(database(), idOf(again, 'pdf_reader'), 'dismissed', NOW + 2 * HOUR);
    // alice then calls translate (used), installs image_gen without calling it (not used) and calls
    // code_exec only on a day before the recommendations (not used: it was before).
    recordUse(database(), { user: 'alice', org: 'acme', day: '2026-03-12', skill: 'translate' });
    recordUse(database(), { user: 'alice', org: 'acme', day: '2026-03-12', skill: 'image_gen', calls: 0, installs: 1 });
    recordUse(database(), { user: 'alice', org: 'acme', day: '2026-03-09', skill: 'code_exec' });

    const report = recommendationEffectiveness(database(), { now: LATER });
    assert.deepEqual(report, {
      window: '30d',
      from: '2026-02-12 10:00:00',
      to: '2026-03-14 10:00:00',
      orgId: undefined,
      logged: 8,
      recommended: 4,
      used: 1,
      rate: 0.25,
      outcomes: { none: 2, dismissed: 1, clicked: 0, installed: 0, used: 1 },
      bySource: {
        co_usage: { recommended: 3, used: 1, rate: 1 / 3, outcomes: { none: 2, dismissed: 0, clicked: 0, installed: 0, used: 1 } },
        trending: { recommended: 1, used: 0, rate: 0, outcomes: { none: 0, dismissed: 1, clicked: 0, installed: 0, used: 0 } },
      },
    });
  });

  it('counts a call on the day of the recommendation', () => {
    const [recommendation] = recommend(database(), { userId: 'alice', limit: 1, now: NOW });
    recordUse(database(), { user: 'alice', org: 'acme', day: '2026-03-10', skill: recommendation?.skillId ?? '' });
    assert.equal(recommendationEffectiveness(database(), { now: LATER }).used, 1);
  });

  it('judges only the recommendations made in the window', () => {
    recommend(database(), { userId: 'alice', limit: 1, now: NOW });
    recommend(database(), { userId: 'bob', limit: 1, now: LATER - 2 * 24 * HOUR });
    const lastDay = recommendationEffectiveness(database(), { window: '24h', now: LATER });
    const lastWeek = recommendationEffectiveness(database(), { window: '7d', now: LATER });
    assert.deepEqual([lastDay.logged, lastWeek.logged], [0, 2]);
  });

  it('judges only the recommendations logged for orgId', () => {
    recommend(database(), { userId: 'alice', now: NOW });
    recommend(database(), { userId: 'heidi', now: NOW });
    const acme = recommendationEffectiveness(database(), { orgId: 'acme', now: NOW });
    const globex = recommendationEffectiveness(database(), { orgId: 'globex', now: NOW });
    const all = recommendationEffectiveness(database(), { now: NOW });
    assert.equal(acme.recommended, 4);
    assert.equal(acme.orgId, 'acme');
    assert.ok(globex.recommended > 0);
    assert.equal(all.recommended, acme.recommended + globex.recommended);
  });

  it('rejects invalid options, naming the report', () => {
    assert.throws(() => recommendationEffectiveness(database(), { window: 'week' as never }), {
      name: 'RangeError',
      message: /^recommendationEffectiveness: window "week" is malformed/,
    });
    assert.throws(() => recommendationEffectiveness(database(), null as never), {
      name: 'TypeError',
      message: /^recommendationEffectiveness: options must be an object/,
    });
  });
});
