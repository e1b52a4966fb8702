// Two copies of the package in one process (two versions in node_modules, or one bundled into a
// dependency and one installed): the state that must be one per process is kept on globalThis
// under Symbol.for keys, so a context opened through one copy and a pipeline started through one
// are seen by the other. Copy B is the built dist/src copied to another folder and imported from
// there: every module of it is a new instance, as a second install's would be.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as A from '../../src/index.js';
import { openAnalyticsDatabase } from '../../src/sqlite.js';

type Package = typeof A;

/** The rows of skill_usage, read through copy A. */
function usage(path: string): { skill_id: string; user_id: string | null; calls: number }[] {
  const db = openAnalyticsDatabase(path, { readonly: true });
  try {
    return db
      .prepare('SELECT skill_id, user_id, sum(execution_count) AS calls FROM skill_usage GROUP BY skill_id, user_id ORDER BY skill_id')
      .all() as never;
  } finally {
    db.close();
  }
}

describe('two copies of the package in one process', () => {
  // dist/test/package/ -> dist/: the copy stays under the project, so it finds the same node_modules.
  const dist = fileURLToPath(new URL('../..', import.meta.url));
  let copy: string;
  let B: Package;
  let dir: string;

  before(async () => {
    copy = mkdtempSync(join(dist, 'second-copy-'));
    cpSync(join(dist, 'src'), join(copy, 'src'), { recursive: true });
    B = (await import(pathToFileURL(join(copy, 'src', 'index.js')).href)) as Package;
    dir = mkdtempSync(join(copy, 'db-'));
  });

  after(() => {
    if (copy !== undefined) rmSync(copy, { recursive: true, force: true });
  });

  it('are two copies of the code', () => {
    assert.notEqual(B.SkillMetrics, A.SkillMetrics);
    assert.notEqual(B.withContext, A.withContext);
  });

  it('share the identity of withContext: a context opened through one copy is the current identity of the other', () => {
    assert.deepEqual(
      A.withContext({ userId: 'user-a', orgId: 'org-a' }, () => B.currentIdentity()),
      { userId: 'user-a', orgId: 'org-a' },
    );
    assert.deepEqual(
      B.withContext({ userId: 'user-b' }, () => A.withContext({ orgId: 'org-a' }, () => B.currentIdentity())),
      { userId: 'user-b', orgId: 'org-a' },
    );
  });

  it('attribute a call recorded through copy B to the withContext identity of copy A, in SQLite', async () => {
    const path = join(dir, 'identity.db');
    const analytics = B.startAnalytics({
      env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    await analytics.ready;
    const search = analytics.wrap('web_search', (query: string) => `results for ${query}`);
    A.withContext({ userId: 'user-a' }, () => search('otel'));
    search('anonymous');
    await analytics.shutdown();
    assert.deepEqual(usage(path), [
      { skill_id: 'web_search', user_id: null, calls: 1 },
      { skill_id: 'web_search', user_id: 'user-a', calls: 1 },
    ]);
  });

  it('share the running instance: an @skill method of copy B records into the pipeline copy A started', async () => {
    const path = join(dir, 'running.db');
    const analytics = A.startAnalytics({
      env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    await analytics.ready;
    class Tools {
      @B.skill('lookup')
      lookup(key: string): string {
        return `value of ${key}`;
      }
    }
    const tools = new Tools();
    assert.equal(
      B.withContext({ userId: 'user-b' }, () => tools.lookup('k')),
      'value of k',
    );
    A.withContext({ userId: 'user-a' }, () => tools.lookup('k'));
    await analytics.shutdown();
    assert.deepEqual(usage(path), [
      { skill_id: 'lookup', user_id: 'user-a', calls: 1 },
      { skill_id: 'lookup', user_id: 'user-b', calls: 1 },
    ]);
  });
});
