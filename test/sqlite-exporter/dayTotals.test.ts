import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { checkAggregates } from '../../src/store/aggregates.js';
import { byDayThrough } from '../../src/store/closedDays.js';

/** An application on its own clock writing one file, as another process would. */
function app(path: string, at: { now: number }): Analytics {
  return startAnalytics({
    env: { ANALYTICS_DB_PATH: path, ANALYTICS_DB_FLUSH_INTERVAL: '3600' },
    clock: { now: () => at.now, monotonic: () => 0 },
    flushOnExit: false,
    logLevel: 'none',
  });
}

describe('skill_usage_by_day, the closed days', () => {
  let dir: string;
  let path: string;
  let reader: Database.Database | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'toolweaver-by-day-'));
    path = join(dir, 'analytics.db');
  });
  afterEach(() => {
    reader?.close();
    reader = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const byDay = () =>
    reader!.prepare('SELECT skill_id, org_id, day, execution_count, success_count FROM skill_usage_by_day ORDER BY day, skill_id').all();
  const hourlyOfDay = (day: string) =>
    reader!
      .prepare(`SELECT skill_id, org_id, substr(hour, 1, 10) AS day, sum(execution_count) AS execution_count, sum(success_count) AS success_count
                FROM skill_usage_hourly WHERE substr(hour, 1, 10) = ? GROUP BY 1, 2, 3 ORDER BY skill_id`)
      .all(day);

  it("writes nothing for today's exports, closes a day when a later one is written, and adds late rows to a closed day", async () => {
    const clock = { now: Date.UTC(2026, 10, 20, 10) };
    const writer = app(path, clock);
    const call = (skill: string, times: number, fail = false) => {
      const fn = writer.wrap(skill, () => {
        if (fail) throw new Error('no');
      });
      for (let i = 0; i < times; i++) {
        try {
          fn();
        } catch {
          // counted as a failure
        }
      }
    };
    call('web_search', 3);
    await writer.flush();
    clock.now = Date.UTC(2026, 10, 20, 15);
    call('web_search', 2, true);
    call('run_sql', 1);
    await writer.flush();
    reader = new Database(path, { readonly: true });
    assert.deepEqual(byDay(), [], "today's rows stay in skill_usage_hourly");
    assert.equal(byDayThrough(reader), '2026-11-19');

    clock.now = Date.UTC(2026, 10, 21, 9);
    call('web_search', 1);
    await writer.flush();
    assert.equal(byDayThrough(reader), '2026-11-20');
    assert.deepEqual(byDay(), hourlyOfDay('2026-11-20'));
    assert.deepEqual(byDay(), [
      { skill_id: 'run_sql', org_id: '', day: '2026-11-20', execution_count: 1, success_count: 1 },
      { skill_id: 'web_search', org_id: '', day: '2026-11-20', execution_count: 5, success_count: 3 },
    ]);

    // Another process, its clock late, writes rows of the closed day.
    const late = app(path, { now: Date.UTC(2026, 10, 20, 23) });
    late.wrap('web_search', () => undefined)();
    await late.shutdown();
    assert.deepEqual(byDay(), hourlyOfDay('2026-11-20'));
    assert.equal((byDay()[1] as { execution_count: number }).execution_count, 6);
    await writer.shutdown();
    assert.deepEqual(checkAggregates(reader), { ok: true, problems: [] });
  });
});
