import assert from 'node:assert/strict';
import type Database from 'better-sqlite3';
import { previewRecommendations, recommend, RECOMMEND_DEFAULTS, type Recommendation } from '../../src/reports/recommendations.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';
import { logRows, NOW, recordBasket, recordCalls, recordUse, useRecommendationsDatabase } from './recommendationsFixtures.js';

/** Every field but the log id, which depends on what was logged before. */
function withoutIds(recommendations: readonly Recommendation[]): Omit<Recommendation, 'id'>[] {
  return recommendations.map(({ id: _id, ...rest }) => rest);
}

/** Compares everything but the ids, scores to 12 decimals (the hand formulas may round differently in the last bit). */
function assertRecommendations(actual: readonly Recommendation[], expected: readonly Omit<Recommendation, 'id'>[]): void {
  const rounded = (list: readonly Omit<Recommendation, 'id'>[]) =>
    list.map((entry) => ({ ...entry, score: Number(entry.score.toFixed(12)) }));
  assert.deepEqual(rounded(withoutIds(actual)), rounded(expected));
}

/**
 * Nine users in the 30d window before NOW (each basket on one day, 5 calls per skill):
 *
 *   acme    alice  web_search summarize          (target; used legacy_tool in 2025)
 *           bob    web_search translate legacy_tool (overflow)
 *           carol  web_search translate code_exec legacy_tool
 *           dave   web_search summarize translate (overflow)
 *           erin   summarize code_exec           (+ a translate row with installs and no calls)
 *           frank  summarize code_exec pdf_reader
 *           grace  pdf_reader
 *   globex  heidi  web_search image_gen
 *           ivan   web_search image_gen translate
 */
function insertNeighbourhood(db: Database.Database): void {
  recordUse(db, { user: 'alice', org: 'acme', day: '2025-06-01', skill: 'legacy_tool' });
  recordBasket(db, 'alice', 'acme', '2026-03-02', ['web_search', 'summarize']);
  recordBasket(db, 'bob', 'acme', '2026-03-03', ['web_search', 'translate', 'legacy_tool', '(overflow)']);
  recordBasket(db, 'carol', 'acme', '2026-03-04', ['web_search', 'translate', 'code_exec', 'legacy_tool']);
  recordBasket(db, 'dave', 'acme', '2026-03-05', ['web_search', 'summarize', 'translate', '(overflow)']);
  recordBasket(db, 'erin', 'acme', '2026-03-06', ['summarize', 'code_exec']);
  recordUse(db, { user: 'erin', org: 'acme', day: '2026-03-06', skill: 'translate', calls: 0, installs: 1 });
  recordBasket(db, 'frank', 'acme', '2026-03-07', ['summarize', 'code_exec', 'pdf_reader']);
  recordBasket(db, 'grace', 'acme', '2026-03-08', ['pdf_reader']);
  recordBasket(db, 'heidi', 'globex', '2026-03-03', ['web_search', 'image_gen']);
  recordBasket(db, 'ivan', 'globex', '2026-03-04', ['web_search', 'image_gen', 'translate']);
}

describe('recommend', () => {
  const database = useRecommendationsDatabase();

  describe('from co-usage', () => {
    beforeEach(() => insertNeighbourhood(database()));

    it('scores skills by mean cosine similarity to the user’s skills, worked out by hand', () => {
      // Users per skill in the window (erin's translate row has no calls, so it is no use):
      //   |web_search| = 6 (alice bob carol dave heidi ivan), |summarize| = 4 (alice dave erin frank),
      //   |translate| = 4 (bob carol dave ivan), |code_exec| = 3, |image_gen| = 2, |pdf_reader| = 2.
      // alice's basket B = {summarize, web_search}; pairs shared by fewer than 2 users count 0.
      //   translate: web_search 4 shared → 4/√(6·4) = 0.81650; summarize 1 shared (dave) → 0.
      //              s = 0.81650 / 2 = 0.40825, score = 0.5 + 0.5·s = 0.70412
      //   code_exec: summarize 2 shared (erin frank) → 2/√(4·3) = 0.57735; web_search 1 (carol) → 0.
      //              s = 0.28868, score = 0.64434
      //   image_gen: web_search 2 shared (heidi ivan) → 2/√(6·2) = 0.57735: the same score, and
      //              code_exec < image_gen breaks the tie.
      //   pdf_reader: summarize 1 shared (frank) → no evidence. legacy_tool (alice, 2025) and
      //   (overflow) are never recommended.
      // Then trending fills the fifth place: pdf_reader, 10 calls and no previous window → popular,
      //   0.25 · 10 / 30 (web_search's 30 calls are the most) = 0.08333.
      const recommendations = recommend(database(), { userId: 'alice', now: NOW });
      assertRecommendations(recommendations, [
        {
          skillId: 'translate',
          score: 0.5 + 0.5 * (4 / Math.sqrt(24) / 2),
          reason: 'users who used web_search also used translate (4 of 6 users)',
          source: 'co_usage',
        },
        {
          skillId: 'code_exec',
          score: 0.5 + 0.5 * (2 / Math.sqrt(12) / 2),
          reason: 'users who used summarize also used code_exec (2 of 4 users)',
          source: 'co_usage',
        },
        {
          skillId: 'image_gen',
          score: 0.5 + 0.5 * (2 / Math.sqrt(12) / 2),
          reason: 'users who used web_search also used image_gen (2 of 6 users)',
          source: 'co_usage',
        },
        { skillId: 'pdf_reader', score: (0.25 * 10) / 30, reason: 'popular: 10 calls in the last 30 days', source: 'trending' },
      ]);
      assert.ok(Math.abs((recommendations[0]?.score ?? 0) - 0.70412) < 1e-5);
      assert.ok(Math.abs((recommendations[1]?.score ?? 0) - 0.64434) < 1e-5);
    });

    it('computes co-usage among the users of orgId only', () => {
      // acme alone: |web_search| = 4, |summarize| = 4, |translate| = 3, |code_exec| = 3; no image_gen.
      //   translate: web_search 3 shared → 3/√(4·3) = 0.86603, s = 0.43301, score = 0.71651
      //   code_exec: summarize 2 shared → 2/√(4·3) = 0.57735, s = 0.28868, score = 0.64434
      // Trending from acme's calls: pdf_reader 10 of at most 20 (web_search, summarize) → 0.125.
      const recommendations = recommend(database(), { userId: 'alice', orgId: 'acme', now: NOW });
      assertRecommendations(recommendations, [
        {
          skillId: 'translate',
          score: 0.5 + 0.5 * (3 / Math.sqrt(12) / 2),
          reason: 'users who used web_search also used translate (3 of 4 users)',
          source: 'co_usage',
        },
        {
          skillId: 'code_exec',
          score: 0.5 + 0.5 * (2 / Math.sqrt(12) / 2),
          reason: 'users who used summarize also used code_exec (2 of 4 users)',
          source: 'co_usage',
        },
        { skillId: 'pdf_reader', score: 0.125, reason: 'popular: 10 calls in the last 30 days', source: 'trending' },
      ]);
    });

    it('stops at limit, best first', () => {
      const recommendations = recommend(database(), { userId: 'alice', limit: 2, now: NOW });
      assert.deepEqual(
        recommendations.map((recommendation) => recommendation.skillId),
        ['translate', 'code_exec'],
      );
    });

    it('adds the evidence of every skill of the basket that has some', () => {
      // frank's basket {code_exec, pdf_reader, summarize}: for web_search, summarize shares alice and dave
      // (2 of 4) → 2/√(4·6) = 0.40825; code_exec shares carol only → 0; pdf_reader none.
      // For translate: code_exec shares carol only, summarize dave only → nothing.
      // s(web_search) = 0.40825 / 3, score = 0.5 + 0.5·s = 0.56804.
      const [first] = recommend(database(), { userId: 'frank', limit: 1, now: NOW });
      assert.equal(first?.skillId, 'web_search');
      assert.equal(first?.score, 0.5 + 0.5 * (2 / Math.sqrt(24) / 3));
      assert.equal(first?.reason, 'users who used summarize also used web_search (2 of 4 users)');
    });

    it('never recommends a skill the user only installed', () => {
      // erin installed translate (a row without calls): it is hers, even though she never called it.
      const skills = recommend(database(), { userId: 'erin', limit: 10, now: NOW }).map((recommendation) => recommendation.skillId);
      assert.ok(!skills.includes('translate'), skills.join());
      assert.ok(!skills.includes('summarize') && !skills.includes('code_exec'));
    });

    it('logs every recommendation, with the user’s latest org and the time, and returns the log ids', () => {
      const recommendations = recommend(database(), { userId: 'alice', now: NOW });
      assert.deepEqual(
        logRows(database()),
        recommendations.map((recommendation) => ({
          id: recommendation.id,
          user_id: 'alice',
          org_id: 'acme',
          recommended_skill_id: recommendation.skillId,
          score: recommendation.score,
          reason: recommendation.reason,
          source: recommendation.source,
          timestamp: '2026-03-10 12:30:00',
          outcome: null,
          outcome_at: null,
        })),
      );
    });

    it('compares a user of another org with orgId’s users, and logs orgId', () => {
      // ivan (globex) against acme: B = {image_gen, translate, web_search}, |B| = 3; in acme
      // |web_search| = 4, |translate| = 3 (bob carol dave), |summarize| = 4, |legacy_tool| = 2 (bob carol).
      //   legacy_tool: web_search 2 shared → 2/√(4·2) = 0.70711; translate 2 shared → 2/√(3·2) = 0.81650;
      //                s = 1.52361 / 3 = 0.50787, score 0.75394, strongest evidence translate.
      //   summarize:   web_search 2 shared (alice dave) → 2/√(4·4) = 0.5; translate 1 (dave) → 0;
      //                s = 0.16667, score 0.58333.
      //   code_exec:   1 shared (carol) with each → no evidence.
      // Trending from acme's calls (most: 20): code_exec 15 → 0.1875, pdf_reader 10 → 0.125.
      const recommendations = recommend(database(), { userId: 'ivan', orgId: 'acme', now: NOW });
      assertRecommendations(recommendations, [
        {
          skillId: 'legacy_tool',
          score: 0.5 + 0.5 * ((2 / Math.sqrt(8) + 2 / Math.sqrt(6)) / 3),
          reason: 'users who used translate also used legacy_tool (2 of 3 users)',
          source: 'co_usage',
        },
        {
          skillId: 'summarize',
          score: 0.5 + 0.5 * (0.5 / 3),
          reason: 'users who used web_search also used summarize (2 of 4 users)',
          source: 'co_usage',
        },
        { skillId: 'code_exec', score: 0.1875, reason: 'popular: 15 calls in the last 30 days', source: 'trending' },
        { skillId: 'pdf_reader', score: 0.125, reason: 'popular: 10 calls in the last 30 days', source: 'trending' },
      ]);
      assert.ok(Math.abs((recommendations[0]?.score ?? 0) - 0.75394) < 1e-5);
      assert.deepEqual(new Set(logRows(database()).map((row) => row['org_id'])), new Set(['acme']));
    });

    it('previews on a read-only connection what recommend then returns, logging nothing', () => {
      const reader = openAnalyticsDatabase(database().name, { readonly: true });
      let preview: Omit<Recommendation, 'id'>[];
      try {
        preview = previewRecommendations(reader, { userId: 'alice', now: NOW });
      } finally {
        reader.close();
      }
      assert.deepEqual(logRows(database()), []);
      assert.ok(preview.length > 0);
      assert.deepEqual(preview, withoutIds(recommend(database(), { userId: 'alice', now: NOW })));
    });

    it('ignores co-usage outside the window', () => {
      // 7d from NOW covers 2026-03-03 … 2026-03-10: alice's basket (2026-03-02) is out, so she is a cold start.
      const recommendations = recommend(database(), { userId: 'alice', window: '7d', now: NOW });
      assert.ok(recommendations.length > 0);
      assert.ok(recommendations.every((recommendation) => recommendation.source === 'trending'));
    });
  });

  describe('at a cold start', () => {
    /**
     * Calls per skill (no user of interest) in the 7d window (day 2026-03-05) and the 7d before it
     * (2026-02-26): rising skills first, by growth, then the rest by calls against the most (100).
     */
    beforeEach(() => {
      const calls: [skill: string, previous: number, current: number][] = [
        ['code_exec', 10, 30], // +200% → 0.25 + 0.25 · 2/3 = 0.41667
        ['translate', 20, 27], // +35% → 0.25 + 0.25 · 0.35/1.35 = 0.31481
        ['web_search', 100, 100], // 0% → popular, 0.25 · 100/100 = 0.25
        ['image_gen', 50, 40], // down → popular, 0.25 · 40/100 = 0.1
        ['pdf_reader', 0, 40], // no previous calls → popular, 0.1; image_gen < pdf_reader
        ['summarize', 5, 12], // 5 previous calls are too few to compare → popular, 0.03
        ['tiny', 50, 9], // fewer than 10 calls: not real usage
      ];
      for (const [skill, previous, current] of calls) {
        if (previous > 0) recordCalls(database(), skill, 'acme', '2026-02-26 12:00:00', previous);
        recordCalls(database(), skill, 'acme', '2026-03-05 12:00:00', current);
      }
    });

    it('recommends rising skills, then popular ones, to an unknown user', () => {
      const recommendations = recommend(database(), { userId: 'newcomer', window: '7d', limit: 10, now: NOW });
      assertRecommendations(recommendations, [
        { skillId: 'code_exec', score: 0.25 + 0.25 * (2 / 3), reason: 'trending: calls up 200% this week', source: 'trending' },
        {
          skillId: 'translate',
          score: 0.25 + (0.25 * (27 / 20 - 1)) / (27 / 20),
          reason: 'trending: calls up 35% this week',
          source: 'trending',
        },
        { skillId: 'web_search', score: 0.25, reason: 'popular: 100 calls this week', source: 'trending' },
        { skillId: 'image_gen', score: 0.1, reason: 'popular: 40 calls this week', source: 'trending' },
        { skillId: 'pdf_reader', score: 0.1, reason: 'popular: 40 calls this week', source: 'trending' },
        { skillId: 'summarize', score: 0.03, reason: 'popular: 12 calls this week', source: 'trending' },
      ]);
      assert.ok(Math.abs((recommendations[0]?.score ?? 0) - 0.41667) < 1e-5);
      assert.ok(Math.abs((recommendations[1]?.score ?? 0) - 0.31481) < 1e-5);
    });

    it('leaves out the skills the user has used', () => {
      recordUse(database(), { user: 'zoe', org: 'acme', day: '2025-01-01', skill: 'code_exec', calls: 1 });
      const skills = recommend(database(), { userId: 'zoe', window: '7d', limit: 2, now: NOW }).map(
        (recommendation) => recommendation.skillId,
      );
      assert.deepEqual(skills, ['translate', 'web_search']);
    });

    it('counts only orgId’s calls', () => {
      recordCalls(database(), 'image_gen', 'globex', '2026-03-05 12:00:00', 1000);
      const everyOrg = recommend(database(), { userId: 'newcomer', window: '7d', limit: 1, now: NOW });
      const acme = recommend(database(), { userId: 'newcomer', window: '7d', orgId: 'acme', limit: 1, now: NOW });
      // image_gen: 50 previous calls, 40 + 1000 now: +1980% → 0.25 + 0.25 · 19.8/20.8 = 0.48798
      assertRecommendations(everyOrg, [
        { skillId: 'image_gen', score: 0.25 + (0.25 * 19.8) / 20.8, reason: 'trending: calls up 1980% this week', source: 'trending' },
      ]);
      assert.equal(acme[0]?.skillId, 'code_exec');
    });

    it('calls every skill popular when the previous window has no calls', () => {
      // 30d: both days fall in the window and the 30 days before are empty; web_search has the most calls, 200.
      const recommendations = recommend(database(), { userId: 'newcomer', limit: 2, now: NOW });
      assertRecommendations(recommendations, [
        { skillId: 'web_search', score: 0.25, reason: 'popular: 200 calls in the last 30 days', source: 'trending' },
        { skillId: 'image_gen', score: 0.25 * (90 / 200), reason: 'popular: 90 calls in the last 30 days', source: 'trending' },
      ]);
    });

    it('returns an empty list, and logs nothing, when nothing has been used', () => {
      database().prepare('DELETE FROM skill_usage_hourly').run();
      database().prepare('DELETE FROM skill_usage_by_day').run();
      assert.deepEqual(recommend(database(), { userId: 'newcomer', now: NOW }), []);
      assert.deepEqual(logRows(database()), []);
    });
  });

  describe('options', () => {
    it('defaults to 5 recommendations over 30 days', () => {
      assert.equal(RECOMMEND_DEFAULTS.limit, 5);
      assert.equal(RECOMMEND_DEFAULTS.window, '30d');
      for (let i = 0; i < 7; i++) recordCalls(database(), `skill_${i}`, '', '2026-03-05 12:00:00', 10 + i);
      assert.equal(recommend(database(), { userId: 'u', now: NOW }).length, 5);
    });

    it('rejects invalid options with a message naming the option', () => {
      const db = database();
      assert.throws(() => recommend(db, undefined as never), { name: 'TypeError', message: /^recommend: options must be an object/ });
      assert.throws(() => recommend(db, {} as never), {
        name: 'TypeError',
        message: /^recommend: option "userId" must be a non-empty string, got undefined/,
      });
      assert.throws(() => recommend(db, { userId: '' }), { name: 'TypeError', message: /option "userId"/ });
      assert.throws(() => recommend(db, { userId: 'u', limit: 0 }), {
        name: 'RangeError',
        message: /^recommend: option "limit" must be a whole number, 1 or more, got 0/,
      });
      assert.throws(() => recommend(db, { userId: 'u', limit: 2.5 }), { name: 'RangeError', message: /option "limit"/ });
      assert.throws(() => recommend(db, { userId: 'u', window: '7x' as never }), {
        name: 'RangeError',
        message: /^recommend: window "7x" is malformed/,
      });
      assert.throws(() => recommend(db, { userId: 'u', orgId: '' }), { name: 'TypeError', message: /^recommend: option "orgId"/ });
      assert.throws(() => recommend(db, { userId: 'u', now: Number.NaN }), { name: 'TypeError', message: /^recommend: option "now"/ });
    });

    it('refuses a read-only connection, since it logs', () => {
      const path = database().name;
      const reader = openAnalyticsDatabase(path, { readonly: true });
      try {
        assert.throws(() => recommend(reader, { userId: 'u', now: NOW }), {
          name: 'TypeError',
          message:
            /^recommend: the database is open read-only, but every recommendation is logged; open it with openAnalyticsDatabase\(path\) without readonly$/,
        });
      } finally {
        reader.close();
      }
    });
  });
});
