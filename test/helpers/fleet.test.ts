import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { totalsBy, type ReplayEvent } from '../agreement/replay.js';
import { startFleet, type Fleet } from './fleet.js';
import { requirePrometheus, startPrometheus, type PrometheusServer } from './prometheusServer.js';
import { firstValue, type QueryResult } from './queryApi.js';
import { requireVictoriaMetrics, startVictoriaMetrics, type VictoriaMetricsServer } from './victoriaMetrics.js';

const SEED = 20260316;
const TOTAL_CALLS = 'sum(last_over_time(toolweaver_skill_executions_total[5m]))';
const WAIT = { timeoutMs: 20_000 };

const callsOf = (events: readonly ReplayEvent[]): number => events.filter((event) => event.kind === 'call').length;

/** Calls per skill in the SQLite files, summed over them. */
function sqliteCallsBySkill(paths: readonly string[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const path of paths) {
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.prepare('SELECT skill_id, sum(execution_count) AS calls FROM skill_usage GROUP BY skill_id').all() as Array<{
        skill_id: string;
        calls: number;
      }>;
      for (const row of rows) totals.set(row.skill_id, (totals.get(row.skill_id) ?? 0) + row.calls);
    } finally {
      db.close();
    }
  }
  return totals;
}

function byLabel(result: QueryResult, label: string): Map<string, number> {
  assert.equal(result.resultType, 'vector');
  return new Map(result.resultType === 'vector' ? result.result.map((s) => [s.metric[label] ?? '', s.value.value]) : []);
}

describe('a fleet of 4 processes replaying one seeded traffic', function () {
  this.timeout(90_000);

  let fleet: Fleet | undefined;
  let prometheus: PrometheusServer | undefined;

  before(async function () {
    requirePrometheus(this);
    fleet = await startFleet({ seed: SEED, processes: 4 });
    prometheus = await startPrometheus({ targets: fleet.targets });
  });

  after(async () => {
    await prometheus?.stop();
    await fleet?.stop();
  });

  function started(): { fleet: Fleet; prometheus: PrometheusServer } {
    assert.ok(fleet && prometheus, 'before() did not start the fleet and Prometheus');
    return { fleet, prometheus };
  }

  it('shares the replay out: every event recorded by exactly one process, all four busy', () => {
    const { fleet } = started();
    assert.equal(fleet.members.length, 4);
    assert.equal(new Set(fleet.targets).size, 4);
    assert.equal(
      fleet.members.map((m) => m.events.length).reduce((a, b) => a + b),
      fleet.events.length,
    );
    assert.ok(fleet.members.every((m) => callsOf(m.events) > 0));
  });

  it('shows a real Prometheus the replay’s total calls, summed over the four', async () => {
    const { fleet, prometheus } = started();
    const total = await prometheus.waitFor(TOTAL_CALLS, (r) => firstValue(r) === callsOf(fleet.events), WAIT);
    assert.equal(firstValue(total), callsOf(fleet.events));
  });

  it('shows each process’s own part under its instance label', async () => {
    const { fleet, prometheus } = started();
    await prometheus.waitFor(TOTAL_CALLS, (r) => firstValue(r) === callsOf(fleet.events), WAIT);
    const byInstance = byLabel(
      await prometheus.query(`sum by (instance) (last_over_time(toolweaver_skill_executions_total[5m]))`),
      'instance',
    );
    assert.deepEqual(byInstance, new Map(fleet.members.map((m) => [m.target, callsOf(m.events)])));
  });

  it('holds the same calls per skill in the one SQLite file the four write', () => {
    const { fleet } = started();
    assert.equal(fleet.dbPaths.length, 1);
    const truth = new Map([...totalsBy(fleet.events, (e) => e.skillId)].map(([skill, t]) => [skill, t.executions]));
    assert.deepEqual(sqliteCallsBySkill(fleet.dbPaths), truth);
  });

  it('shows VictoriaMetrics scraping the same fleet the same total', async function () {
    requireVictoriaMetrics(this);
    const { fleet } = started();
    let vm: VictoriaMetricsServer | undefined;
    try {
      vm = await startVictoriaMetrics({ targets: fleet.targets });
      const total = await vm.waitFor(TOTAL_CALLS, (r) => firstValue(r) === callsOf(fleet.events), WAIT);
      assert.equal(firstValue(total), callsOf(fleet.events));
    } finally {
      await vm?.stop();
    }
  });
});

describe('a fleet with a SQLite file per process', function () {
  this.timeout(60_000);

  it('writes each process’s part to its own file, and stops every process and removes the files', async () => {
    const fleet = await startFleet({ seed: SEED, processes: 2, intervals: 2, eventsPerInterval: 50, sqlite: 'separate' });
    try {
      assert.equal(fleet.dbPaths.length, 2);
      for (const member of fleet.members) {
        const calls = [...sqliteCallsBySkill([member.dbPath]).values()].reduce((a, b) => a + b, 0);
        assert.equal(calls, callsOf(member.events), `member ${member.index}`);
      }
    } finally {
      await fleet.stop();
    }
    await fleet.stop();
    for (const { pid } of fleet.members) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is gone`);
    assert.equal(existsSync(fleet.dir), false);
  });
});

describe('a fleet that cannot start', function () {
  this.timeout(30_000);

  it('fails with the output of the member that died, having stopped the others', async () => {
    await assert.rejects(startFleet({ seed: SEED, processes: 2, env: { ANALYTICS_DB_FLUSH_INTERVAL: 'soon' } }), (error: Error) => {
      assert.match(error.message, /startFleet: member \d exited \(1\) before it was done/);
      assert.match(error.message, /ANALYTICS_DB_FLUSH_INTERVAL/);
      return true;
    });
  });

  it('refuses a fleet of no process', async () => {
    await assert.rejects(startFleet({ seed: SEED, processes: 0 }), /processes must be a whole number >= 1, got 0/);
  });
});
