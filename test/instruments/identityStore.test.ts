import assert from 'node:assert/strict';
import { currentIdentity, withContext } from '../../src/instruments/identity.js';
import { IdentityStore, type SeriesMemo } from '../../src/instruments/IdentityStore.js';

/** The skill, user, org and executions of each drained series, sorted. */
function drainedCounts(store: IdentityStore): string[] {
  return [...store.drain().series.values()]
    .map(
      (series) =>
        `${String(series.attributes['skill_id'])}/${String(series.attributes['user_id'])}/${String(series.attributes['org_id'])}: ${series.executions}`,
    )
    .sort();
}

describe('the per-user store of the SQLite backend', () => {
  it('counts the calls of two contexts of the same user and org in one series', () => {
    const store = new IdentityStore(100);
    for (let i = 0; i < 2; i++)
      withContext({ userId: 'u1', orgId: 'acme' }, () => store.series('web_search', currentIdentity()).recordSuccess(5));
    assert.deepEqual(drainedCounts(store), ['web_search/u1/acme: 2']);
  });

  it('starts a new series after a drain, even for a context that keeps calling', () => {
    const store = new IdentityStore(100);
    withContext({ userId: 'u1', orgId: 'acme' }, () => {
      store.series('web_search', currentIdentity()).recordSuccess(5);
      const [drained] = store.drain().series.values();
      store.series('web_search', currentIdentity()).recordSuccess(5);
      store.series('run_sql', currentIdentity()).recordSuccess(5);
      assert.equal(drained?.executions, 1, 'the drained interval is not counted in again');
    });
    assert.deepEqual(drainedCounts(store), ['run_sql/u1/acme: 1', 'web_search/u1/acme: 1']);
  });

  it('reads the user of an identity object at each call, so an options object reused with another user counts for that user', () => {
    const store = new IdentityStore(100);
    const identity = { userId: 'u1' };
    store.series('web_search', identity).recordSuccess(5);
    identity.userId = 'u2';
    store.series('web_search', identity).recordSuccess(5);
    assert.deepEqual(drainedCounts(store), ['web_search/u1/undefined: 1', 'web_search/u2/undefined: 1']);
  });

  it('keeps counting a context past the limit in the overflow series of its skill', () => {
    const store = new IdentityStore(1);
    withContext({ userId: 'u1' }, () => store.series('web_search', currentIdentity()).recordSuccess(5));
    withContext({ userId: 'u2' }, () => {
      for (let i = 0; i < 3; i++) store.series('web_search', currentIdentity()).recordSuccess(5);
    });
    const { series, overflowed } = store.drain();
    assert.deepEqual(
      [...series.values()].map((s) => [s.attributes['user_id'] ?? null, s.attributes['otel.metric.overflow'] ?? false, s.executions]),
      [
        ['u1', false, 1],
        [null, true, 3],
      ],
    );
    assert.equal(overflowed, 3);
  });

  describe('with a memo per skill', () => {
    const newMemo = (): SeriesMemo => ({ memoIdentity: undefined, memoInterval: -1, memoSeries: undefined });

    it('counts contexts that take turns on one skill each in its own series', () => {
      const store = new IdentityStore(100);
      const memo = newMemo();
      for (let i = 0; i < 3; i++) {
        withContext({ userId: 'u1', orgId: 'acme' }, () => store.series('web_search', currentIdentity(), memo).recordSuccess(5));
        withContext({ userId: 'u2', orgId: 'acme' }, () => store.series('web_search', currentIdentity(), memo).recordSuccess(5));
        store.series('web_search', undefined, memo).recordSuccess(5);
      }
      assert.deepEqual(drainedCounts(store), ['web_search/u1/acme: 3', 'web_search/u2/acme: 3', 'web_search/undefined/undefined: 3']);
    });

    it('starts a new series after a drain, even for a context that keeps calling', () => {
      const store = new IdentityStore(100);
      const memo = newMemo();
      withContext({ userId: 'u1' }, () => {
        store.series('web_search', currentIdentity(), memo).recordSuccess(5);
        assert.deepEqual(drainedCounts(store), ['web_search/u1/undefined: 1']);
        store.series('web_search', currentIdentity(), memo).recordSuccess(5);
        store.series('web_search', currentIdentity(), memo).recordSuccess(5);
      });
      assert.deepEqual(drainedCounts(store), ['web_search/u1/undefined: 2']);
    });

    it('counts in the store it is given, not in one that remembered the series before', () => {
      const first = new IdentityStore(100);
      const second = new IdentityStore(100);
      const memo = newMemo();
      withContext({ userId: 'u1' }, () => {
        first.series('web_search', currentIdentity(), memo).recordSuccess(5);
        second.series('web_search', currentIdentity(), memo).recordSuccess(5);
      });
      assert.deepEqual(drainedCounts(first), ['web_search/u1/undefined: 1']);
      assert.deepEqual(drainedCounts(second), ['web_search/u1/undefined: 1']);
    });

    it('reads the user of an identity object that could change at each call', () => {
      const store = new IdentityStore(100);
      const memo = newMemo();
      const identity = { userId: 'u1' };
      store.series('web_search', identity, memo).recordSuccess(5);
      identity.userId = 'u2';
      store.series('web_search', identity, memo).recordSuccess(5);
      assert.deepEqual(drainedCounts(store), ['web_search/u1/undefined: 1', 'web_search/u2/undefined: 1']);
    });

    it('counts every call folded into the overflow series', () => {
      const store = new IdentityStore(1);
      const memo = newMemo();
      withContext({ userId: 'u1' }, () => store.series('web_search', currentIdentity(), memo).recordSuccess(5));
      withContext({ userId: 'u2' }, () => {
        for (let i = 0; i < 3; i++) store.series('web_search', currentIdentity(), memo).recordSuccess(5);
      });
      const { series, overflowed } = store.drain();
      assert.deepEqual(
        [...series.values()].map((s) => [s.attributes['user_id'] ?? null, s.executions]),
        [
          ['u1', 1],
          [null, 3],
        ],
      );
      assert.equal(overflowed, 3);
    });
  });
});
