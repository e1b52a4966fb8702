import assert from 'node:assert/strict';
import { recommend, recordRecommendationOutcome, RECOMMENDATION_OUTCOMES } from '../../src/reports/recommendations.js';
import { NOW, recordCalls, useRecommendationsDatabase } from './recommendationsFixtures.js';

const MINUTE = 60_000;

describe('recordRecommendationOutcome', () => {
  const database = useRecommendationsDatabase();
  let id: number;
  beforeEach(() => {
    recordCalls(database(), 'web_search', 'acme', '2026-03-05 12:00:00', 20);
    const [recommendation] = recommend(database(), { userId: 'alice', now: NOW });
    id = recommendation?.id ?? -1;
  });

  function stored(): unknown {
    return database().prepare('SELECT outcome, outcome_at FROM recommendation_log WHERE id = ?').get(id);
  }

  it('orders the outcomes dismissed < clicked < installed < used', () => {
    assert.deepEqual(RECOMMENDATION_OUTCOMES, ['dismissed', 'clicked', 'installed', 'used']);
  });

  it('records an outcome with its time', () => {
    assert.deepEqual(recordRecommendationOutcome(database(), id, 'clicked', NOW + MINUTE), {
      id,
      outcome: 'clicked',
      outcomeAt: '2026-03-10 12:31:00',
      changed: true,
    });
    assert.deepEqual(stored(), { outcome: 'clicked', outcome_at: '2026-03-10 12:31:00' });
  });

  it('upgrades to a stronger outcome, with the time it was reached', () => {
    recordRecommendationOutcome(database(), id, 'dismissed', NOW + MINUTE);
    recordRecommendationOutcome(database(), id, 'clicked', NOW + 2 * MINUTE);
    recordRecommendationOutcome(database(), id, 'installed', NOW + 3 * MINUTE);
    assert.deepEqual(recordRecommendationOutcome(database(), id, 'used', NOW + 4 * MINUTE), {
      id,
      outcome: 'used',
      outcomeAt: '2026-03-10 12:34:00',
      changed: true,
    });
  });

  it('keeps the stronger outcome when a weaker or equal one comes later', () => {
    recordRecommendationOutcome(database(), id, 'installed', NOW + MINUTE);
    for (const outcome of ['dismissed', 'clicked', 'installed'] as const) {
      assert.deepEqual(recordRecommendationOutcome(database(), id, outcome, NOW + 5 * MINUTE), {
        id,
        outcome: 'installed',
        outcomeAt: '2026-03-10 12:31:00',
        changed: false,
      });
    }
    assert.deepEqual(stored(), { outcome: 'installed', outcome_at: '2026-03-10 12:31:00' });
  });

  it('replaces an outcome it does not know, written by something else', () => {
    database().prepare(`UPDATE recommendation_log SET outcome = 'adopted', outcome_at = '2026-03-10 12:00:00' WHERE id = ?`).run(id);
    assert.equal(recordRecommendationOutcome(database(), id, 'dismissed', NOW).outcome, 'dismissed');
  });

  it('says where ids come from when the id is unknown', () => {
    assert.throws(() => recordRecommendationOutcome(database(), id + 1000, 'used', NOW), {
      name: 'RangeError',
      message: `recordRecommendationOutcome: recommendation_log has no recommendation ${id + 1000}; pass an id that recommend() returned (rows older than the retention are deleted)`,
    });
  });

  it('names the allowed outcomes when given another', () => {
    assert.throws(() => recordRecommendationOutcome(database(), id, 'adopted' as never), {
      name: 'TypeError',
      message: 'recordRecommendationOutcome: outcome must be one of dismissed, clicked, installed, used, got "adopted"',
    });
    assert.throws(() => recordRecommendationOutcome(database(), id, undefined as never), {
      name: 'TypeError',
      message: /one of dismissed, clicked, installed, used, got undefined$/,
    });
    assert.deepEqual(stored(), { outcome: null, outcome_at: null });
  });

  it('rejects an id that is not a whole number, and a time that is not one', () => {
    assert.throws(() => recordRecommendationOutcome(database(), 1.5, 'used'), {
      name: 'TypeError',
      message: /id must be the whole number recommend\(\) returned, got 1.5/,
    });
    assert.throws(() => recordRecommendationOutcome(database(), '1' as never, 'used'), { name: 'TypeError', message: /got 1$/ });
    assert.throws(() => recordRecommendationOutcome(database(), id, 'used', Number.NaN), {
      name: 'TypeError',
      message: /now must be epoch milliseconds/,
    });
  });
});
