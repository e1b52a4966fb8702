import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { checkAggregates } from '../../src/store/aggregates.js';

describe('the sqlite backend and the agent of each call', () => {
  let dir: string;
  let analytics: Analytics | undefined;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'toolweaver-agents-'))));
  afterEach(async () => {
    await analytics?.shutdown();
    analytics = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the calls, ratings and installs of each agent apart, from withContext and from the wrap', async () => {
    const path = join(dir, 'analytics.db');
    const app = startAnalytics({
      env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
      flushOnExit: false,
      logLevel: 'none',
    });
    analytics = app;
    const search = app.wrap('web_search', (fail: boolean) => {
      if (fail) throw new Error('no');
      return 'ok';
    });
    const summarize = app.wrap('summarize', () => 'short');
    const draft = app.wrap('draft', () => 'text', { agentName: 'writer' });
    const attempt = (fail: boolean) => {
      try {
        search(fail);
      } catch {
        // a failure, counted
      }
    };
    app.withContext({ userId: 'alice', orgId: 'acme', agentName: 'planner' }, () => {
      attempt(false);
      attempt(false);
      attempt(true);
      summarize();
      draft(); // the context names the agent: it wins over the wrap's
      app.rate('web_search', 4);
      app.recordInstall('summarize');
    });
    app.withContext({ userId: 'alice', orgId: 'acme' }, () => {
      app.withContext({ agentName: 'researcher' }, () => {
        attempt(false);
        attempt(true);
      });
      attempt(false);
      draft();
      draft();
    });
    // Given with the rating or install alone, the agent is used too.
    app.rate('summarize', 3, { agentName: 'writer' });
    app.recordInstall('draft', { agentName: 'writer' });
    await app.flush();

    const db = new Database(path, { readonly: true });
    try {
      assert.deepEqual(
        db
          .prepare(
            `SELECT skill_id, agent_name, sum(execution_count) AS calls, sum(failure_count) AS failures, sum(rating_sum) AS stars,
               sum(install_count) AS installs FROM skill_usage GROUP BY 1, 2 ORDER BY 1, 2`,
          )
          .all(),
        [
          { skill_id: 'draft', agent_name: 'planner', calls: 1, failures: 0, stars: 0, installs: 0 },
          { skill_id: 'draft', agent_name: 'writer', calls: 2, failures: 0, stars: 0, installs: 1 },
          { skill_id: 'summarize', agent_name: 'planner', calls: 1, failures: 0, stars: 0, installs: 1 },
          { skill_id: 'summarize', agent_name: 'writer', calls: 0, failures: 0, stars: 3, installs: 0 },
          { skill_id: 'web_search', agent_name: '', calls: 1, failures: 0, stars: 0, installs: 0 },
          { skill_id: 'web_search', agent_name: 'planner', calls: 3, failures: 1, stars: 4, installs: 0 },
          { skill_id: 'web_search', agent_name: 'researcher', calls: 2, failures: 1, stars: 0, installs: 0 },
        ],
      );
      assert.deepEqual(
        db.prepare('SELECT skill_id, agent_name, org_id, execution_count FROM skill_usage_hourly ORDER BY 1, 2, 3').raw().all(),
        [
          ['draft', 'planner', 'acme', 1],
          ['draft', 'writer', '', 0],
          ['draft', 'writer', 'acme', 2],
          ['summarize', 'planner', 'acme', 1],
          ['summarize', 'writer', '', 0],
          ['web_search', '', 'acme', 1],
          ['web_search', 'planner', 'acme', 3],
          ['web_search', 'researcher', 'acme', 2],
        ],
      );
      assert.deepEqual(
        db.prepare('SELECT skill_id, execution_count FROM skill_user_daily ORDER BY 1').raw().all(),
        [
          ['draft', 3],
          ['summarize', 1],
          ['web_search', 6],
        ],
        'the per-user record has no agent',
      );
      assert.deepEqual(checkAggregates(db), { ok: true, problems: [] });
    } finally {
      db.close();
    }
  });
});
