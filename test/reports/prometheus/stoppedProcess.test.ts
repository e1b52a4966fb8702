import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { latencyReport } from '../../../src/reports/latency.js';
import { leaderboard } from '../../../src/reports/leaderboards.js';
import { PrometheusSource } from '../../../src/reports/prometheus/PrometheusSource.js';
import type { ReplayEvent } from '../../agreement/replay.js';
import { startFleet, type Fleet } from '../../helpers/fleet.js';
import { clearOfHourEdge } from '../../helpers/hourEdge.js';
import { requirePrometheus, startPrometheus, type PrometheusServer } from '../../helpers/prometheusServer.js';
import { firstValue } from '../../helpers/queryApi.js';

const callsOf = (events: readonly ReplayEvent[]): number => events.filter((event) => event.kind === 'call').length;

/** Whether a process is gone. */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Two processes with user labels; one stops after its calls. Its series end inside the window, so
 * the latency histogram read near the window's edges misses its calls: the report sees its calls
 * and its histogram disagree and reads that histogram over the whole window, and still equals SQLite.
 */
describe('a process of the fleet that stopped inside the window', function () {
  this.timeout(300_000);
  let fleet: Fleet | undefined;
  let prometheus: PrometheusServer | undefined;
  let db: Database.Database | undefined;
  // The time the reports are made at: the fleet's calls and every scrape of them lie in its hour.
  let reportedAt = 0;
  const now = () => reportedAt;

  before(async function () {
    requirePrometheus(this);
    await clearOfHourEdge();
    fleet = await startFleet({ seed: 20261210, processes: 2, env: { ANALYTICS_USER_LABELS: 'true' } });
    prometheus = await startPrometheus({ targets: fleet.targets, scrapeIntervalSeconds: 0.25 });
    const calls = callsOf(fleet.events);
    await prometheus.waitFor('sum(last_over_time(toolweaver_skill_executions_total[10m]))', (r) => firstValue(r) === calls, {
      timeoutMs: 30_000,
    });
    const stopped = fleet.members[1]!;
    process.kill(stopped.pid, 'SIGTERM');
    for (let i = 0; i < 100 && !gone(stopped.pid); i++) await sleep(50);
    assert.ok(gone(stopped.pid), 'the member did not stop');
    // Longer than the lookback the source below reads near the edges.
    await sleep(1_500);
    db = new Database(fleet.dbPaths[0]!, { readonly: true });
    reportedAt = Date.now();
  });

  after(async () => {
    db?.close();
    await prometheus?.stop();
    await fleet?.stop();
  });

  it('reads the latency histogram over the whole window for the skills whose calls it misses, in 3 queries', async () => {
    const source = new PrometheusSource({ url: prometheus!.url, edgeLookbackMs: 1_000 });
    const options = { window: '1h' as const, now: now() };
    const fromStore = await latencyReport(source, options);
    assert.equal(source.queries, 3, 'the metrics check, the window, the whole-window re-read');
    const fromSqlite = latencyReport(db!, options);
    assert.deepEqual(
      fromStore.map((row) => [row.skillId, row.calls, row.errors]),
      fromSqlite.map((row) => [row.skillId, row.calls, row.errors]),
    );
    for (const [i, row] of fromStore.entries()) {
      assert.ok(Math.abs(row.avgMs! - fromSqlite[i]!.avgMs!) < 1e-6, `${row.skillId}: every timed call is counted`);
    }
  });

  it('reads it near the edges only with the default lookback, which still holds the stopped series', async () => {
    const source = new PrometheusSource({ url: prometheus!.url });
    await latencyReport(source, { window: '1h', now: now() });
    assert.equal(source.queries, 2);
  });

  it('ranks the skills of one org from the org_id labels as SQLite does', async () => {
    const source = new PrometheusSource({ url: prometheus!.url });
    for (const orgId of ['org_a', 'org_b']) {
      const options = { metric: 'usage' as const, window: '1h' as const, orgId, now: now() };
      const places = (board: { entries: { rank: number; skillId: string; score: number }[] }) =>
        board.entries.map(({ rank, skillId, score }) => ({ rank, skillId, score }));
      const fromStore = await leaderboard(source, options);
      assert.ok(fromStore.entries.length > 0, orgId);
      assert.deepEqual(places(fromStore), places(leaderboard(db!, options)), orgId);
    }
  });
});
