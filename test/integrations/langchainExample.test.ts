import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('examples/langchain.mjs', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-langchain-example-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs from the package by its name, prints its tool results and board, and leaves the runs in SQLite', async () => {
    const path = join(dir, 'analytics.db');
    // A clean environment: no ANALYTICS_* or OTEL_* setting of the machine changes what it records.
    const { stdout } = await promisify(execFile)(process.execPath, ['examples/langchain.mjs', path], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '' },
    });
    assert.deepEqual(stdout.split('\n'), [
      'call_1: Sunny in Lisbon',
      'call_2: Sunny in Porto',
      'call_3: Error: No rooms left in Lisbon',
      'call_4: Error: Received tool input did not match expected schema',
      '#1 get_weather: {"calls":3,"successes":2,"failures":1}',
      '#2 book_hotel: {"calls":1,"successes":0,"failures":1}',
      `Recorded in ${path}`,
      '',
    ]);
    const db = new Database(path, { readonly: true });
    try {
      const rows = db
        .prepare(
          `SELECT skill_id, agent_name, SUM(execution_count) AS runs, SUM(validation_count) AS validation, SUM(upstream_count) AS upstream
             FROM skill_usage GROUP BY skill_id, agent_name ORDER BY skill_id`,
        )
        .all();
      assert.deepEqual(rows, [
        { skill_id: 'book_hotel', agent_name: 'travel_agent', runs: 1, validation: 0, upstream: 1 },
        { skill_id: 'get_weather', agent_name: 'travel_agent', runs: 3, validation: 1, upstream: 0 },
      ]);
    } finally {
      db.close();
    }
  });
});
