import assert from 'node:assert/strict';
import { currentIdentity, withContext } from '../../src/instruments/identity.js';
import { IdentityStore } from '../../src/instruments/IdentityStore.js';

/** The skill, user, org and executions of each drained series, sorted. */
function drainedCounts(store: IdentityStore): string[] {
  return store
    .drain()
    .series.map((series) => `${String(series.attributes['skill_id'])}/${String(series.attributes['user_id'])}/${String(series.attributes['org_id'])}: ${series.executions}`)
    .sort();
}

describe('the per-user store of the SQLite backend', () => {
  it('counts the calls of two contexts of the same user and org in one series', () => {
    const store = new IdentityStore(100);
    for (let i = 0; i < 2; i++) withContext({ userId: 'u1', orgId: 'acme' }, () => store.series('web_search', currentIdentity()).recordSuccess(5));
    assert.deepEqual(drainedCounts(store), ['web_search/u1/acme: 2']);
  });

  it('starts a new series after a drain, even for a context that keeps calling', () => {
    const store = new IdentityStore(100);
    withContext({ userId: 'u1', orgId: 'acme' }, () => {
      store.series('web_search', currentIdentity()).recordSuccess(5);
      const [drained] = store.drain().series;
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
      series.map((s) => [s.attributes['user_id'] ?? null, s.attributes['otel.metric.overflow'] ?? false, s.executions]),
      [
        ['u1', false, 1],
        [null, true, 3],
      ],
    );
    assert.equal(overflowed, 3);
  });
});
