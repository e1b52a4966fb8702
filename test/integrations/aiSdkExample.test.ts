import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('examples/ai-sdk.mjs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-ai-example-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the agent through the package entries, prints the leaderboard of what it recorded, and SQLite holds those calls', async () => {
    const dbPath = join(dir, 'analytics.db');
    // The example imports toolweaver-analytics/ai by the package's own name, as an application does.
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'examples', 'ai-sdk.mjs'), dbPath], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
    });
    assert.equal(
      stdout,
      [
        'Paris (21 °C) is warmer than Oslo (4 °C).',
        '',
        `Usage of the travel-planner's tools over 7d, from ${dbPath}:`,
        '#1 weather: 2 calls, 2 succeeded, 0 failed',
        '#2 search: 1 calls, 0 succeeded, 1 failed',
        '',
      ].join('\n'),
    );
    const db = new Database(dbPath, { readonly: true });
    try {
      const rows = db
        .prepare(
          `SELECT skill_id, agent_name, SUM(execution_count) AS executions, SUM(failure_count) AS failures, SUM(upstream_count) AS upstream
           FROM skill_usage GROUP BY skill_id, agent_name ORDER BY skill_id`,
        )
        .all();
      assert.deepEqual(rows, [
        { skill_id: 'search', agent_name: 'travel-planner', executions: 1, failures: 1, upstream: 1 },
        { skill_id: 'weather', agent_name: 'travel-planner', executions: 2, failures: 0, upstream: 0 },
      ]);
    } finally {
      db.close();
    }
  });
});
