import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runWeekDemo } from '../../src/demo/weekDemo.js';
import { growth } from '../../src/reports/trends.js';
import { resolveWindow } from '../../src/reports/window.js';
import { openAnalyticsDatabase } from '../../src/store/openDatabase.js';

describe('runWeekDemo', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'toolweaver-week-demo-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('starts its traffic where the reports window of the same days starts, so nothing falls into the previous window', async () => {
    // 01:52:40: the 1d window is [the day before 02:00, 02:00); the demo must start at that hour, not at 01:50 the day before.
    const now = Date.UTC(2026, 10, 28, 1, 52, 40);
    const path = join(directory, 'demo.db');
    const summary = await runWeekDemo({ path, days: 1, seed: 3, now });
    assert.ok(summary.calls > 100, JSON.stringify(summary));
    const db = openAnalyticsDatabase(path, { readonly: true });
    try {
      const window = resolveWindow('1d', now);
      const [first, last] = db.prepare('SELECT min(timestamp), max(timestamp) FROM skill_usage').raw().get() as [string, string];
      assert.ok(first >= window.from && last < window.to, `traffic from ${first} to ${last}, window ${window.from}..${window.to}`);
      assert.equal(first.slice(0, 13), window.from.slice(0, 13), 'the first hour of the window has traffic');
      const rows = growth(db, { window: '1d', now });
      assert.ok(rows.length > 5);
      assert.deepEqual(
        rows.filter((row) => row.previousCalls !== 0 || row.growthRate !== null),
        [],
        'the previous window is empty, so every skill is new',
      );
      assert.equal(
        rows.reduce((sum, row) => sum + row.calls, 0),
        summary.calls,
      );
    } finally {
      db.close();
    }
  });
});
