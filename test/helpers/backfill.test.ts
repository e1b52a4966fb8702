import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { backfillHistory, startBackfilledPrometheus, startBackfilledVictoriaMetrics, type Backfill } from './backfill.js';
import { requirePromtool } from './promtool.js';
import { requirePrometheus, type PrometheusServer } from './prometheusServer.js';
import { firstValue, type QueryApi, type QueryResult } from './queryApi.js';
import { requireVictoriaMetrics, type VictoriaMetricsServer } from './victoriaMetrics.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TOTAL_CALLS = 'sum(last_over_time(toolweaver_skill_executions_total[1h]))';

/** Calls per skill summed over every series, at `time` (epoch ms), from the last sample at or before it. */
async function callsBySkill(store: QueryApi, time: number): Promise<Map<string, number>> {
  const result: QueryResult = await store.query('sum by (skill_id) (last_over_time(toolweaver_skill_executions_total[10m]))', time / 1000);
  assert.equal(result.resultType, 'vector');
  return new Map(result.resultType === 'vector' ? result.result.map((s) => [s.metric['skill_id']!, s.value.value]) : []);
}

/** Each UTC day's calls per skill in a store: the last value before the day ends minus the last before it began. */
async function storeDays(store: QueryApi, backfill: Backfill): Promise<Map<string, Map<string, number>>> {
  const days = new Map<string, Map<string, number>>();
  for (const { day } of backfill.days) {
    const from = Math.max(Date.parse(`${day}T00:00:00Z`), backfill.first + 1);
    const to = Math.min(from - (from % DAY) + DAY, backfill.last + 1);
    const [before, after] = [await callsBySkill(store, from - 1), await callsBySkill(store, to - 1)];
    const calls = new Map([...after].map(([skill, value]) => [skill, value - (before.get(skill) ?? 0)] as const).filter(([, n]) => n > 0));
    days.set(day, calls);
  }
  return days;
}

function truthDays(backfill: Backfill): Map<string, Map<string, number>> {
  return new Map(
    backfill.days.map(({ day, bySkill }) => [
      day,
      new Map([...bySkill].map(([skill, totals]) => [skill, totals.executions] as const).filter(([, n]) => n > 0)),
    ]),
  );
}

describe('a backfilled multi-day history in SQLite, Prometheus and VictoriaMetrics', function () {
  this.timeout(240_000);

  let backfill: Backfill | undefined;
  let prometheus: PrometheusServer | undefined;

  before(async function () {
    requirePrometheus(this);
    requirePromtool(this);
    backfill = await backfillHistory({ seed: 20260401, days: 3 });
    prometheus = await startBackfilledPrometheus(backfill);
  });

  after(async () => {
    await prometheus?.stop();
    await backfill?.remove();
  });

  function done(): { backfill: Backfill; prometheus: PrometheusServer } {
    assert.ok(backfill && prometheus, 'before() did not backfill');
    return { backfill, prometheus };
  }

  it('covers 3 days to the last whole hour before now, a sample every 5 minutes, an OpenMetrics file per UTC day', async () => {
    const { backfill } = done();
    assert.equal(backfill.last % HOUR, 0);
    assert.ok(backfill.last <= Date.now() && Date.now() - backfill.last < 2 * HOUR);
    assert.equal(backfill.first, backfill.last - 3 * DAY);
    assert.equal(backfill.history.ticks.length, (3 * DAY) / (5 * 60_000) + 1);
    assert.deepEqual(
      backfill.openMetricsPaths.map((path) => path.slice(-13, -3)),
      backfill.days.map((day) => day.day),
    );
    for (const path of backfill.openMetricsPaths) {
      const text = await readFile(path, 'utf8');
      assert.ok(text.endsWith('\n# EOF\n') && !text.includes('# UNIT'), path);
    }
    assert.ok(backfill.calls > 0 && backfill.instances.length === 2);
  });

  it('shows Prometheus the replay’s total calls at the last sample', async () => {
    const { backfill, prometheus } = done();
    assert.equal(firstValue(await prometheus.query(TOTAL_CALLS, backfill.last / 1000)), backfill.calls);
  });

  it('holds the same total calls in SQLite', () => {
    const { backfill } = done();
    const db = new Database(backfill.sqlitePath, { readonly: true });
    try {
      const { calls } = db.prepare('SELECT sum(execution_count) AS calls FROM skill_usage').get() as { calls: number };
      assert.equal(calls, backfill.calls);
    } finally {
      db.close();
    }
  });

  it('holds each UTC day’s calls per skill the same in SQLite, in Prometheus and in the replay', async () => {
    const { backfill, prometheus } = done();
    const db = new Database(backfill.sqlitePath, { readonly: true });
    let sqlite: Map<string, Map<string, number>>;
    try {
      const rows = db
        .prepare(
          'SELECT substr(timestamp, 1, 10) AS day, skill_id, sum(execution_count) AS calls FROM skill_usage GROUP BY 1, 2 ORDER BY 1, 2',
        )
        .all() as Array<{ day: string; skill_id: string; calls: number }>;
      sqlite = new Map(backfill.days.map(({ day }) => [day, new Map()]));
      for (const row of rows) sqlite.get(row.day)?.set(row.skill_id, row.calls);
    } finally {
      db.close();
    }
    const truth = truthDays(backfill);
    assert.deepEqual(sqlite, truth);
    assert.deepEqual(await storeDays(prometheus, backfill), truth);
  });

  it('labels every series as a scrape of its instance would: job, instance, and the exporter’s own labels', async () => {
    const { backfill, prometheus } = done();
    const result = await prometheus.query(
      'count by (job, instance, otel_scope_name) (toolweaver_skill_executions_total)',
      backfill.last / 1000,
    );
    assert.equal(result.resultType, 'vector');
    const labels = result.resultType === 'vector' ? result.result.map((s) => s.metric) : [];
    assert.deepEqual(
      labels.map((l) => [l['job'], l['instance'], l['otel_scope_name']]).sort(),
      backfill.instances.map((instance) => [backfill.job, instance, 'toolweaver-analytics']),
    );
    const names = await prometheus.metricNames();
    for (const name of ['target_info', 'toolweaver_skill_executions_total', 'toolweaver_skill_latency_milliseconds_bucket']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
  });

  it('gives VictoriaMetrics, importing the same files, the same total and days', async function () {
    requireVictoriaMetrics(this);
    const { backfill } = done();
    let vm: VictoriaMetricsServer | undefined;
    try {
      vm = await startBackfilledVictoriaMetrics(backfill);
      assert.equal(firstValue(await vm.query(TOTAL_CALLS, backfill.last / 1000)), backfill.calls);
      assert.deepEqual(await storeDays(vm, backfill), truthDays(backfill));
    } finally {
      await vm?.stop();
    }
  });

  it('removes the blocks it made when that Prometheus stops', async () => {
    const { backfill } = done();
    const again = await startBackfilledPrometheus(backfill);
    assert.ok(existsSync(again.dataDir));
    await again.stop();
    assert.equal(existsSync(again.dataDir), false);
  });
});

describe('backfillHistory options', function () {
  this.timeout(60_000);

  it('writes SQLite once an hour with sqliteFlush: hour, every call still in the hour of its tick', async () => {
    const backfill = await backfillHistory({ seed: 5, days: 1, instances: 1, sqliteFlush: 'hour' });
    try {
      const db = new Database(backfill.sqlitePath, { readonly: true });
      const rows = db
        .prepare(
          'SELECT substr(timestamp, 1, 13) AS hour, sum(execution_count) AS calls, group_concat(DISTINCT substr(timestamp, 15, 5)) AS at FROM skill_usage GROUP BY 1',
        )
        .all() as Array<{ hour: string; calls: number; at: string }>;
      db.close();
      const truth = new Map<string, number>();
      for (const tick of backfill.history.ticks) {
        const hour = new Date(tick.time).toISOString().slice(0, 13).replace('T', ' ');
        const calls = tick.events.filter((event) => event.kind === 'call').length;
        if (calls > 0) truth.set(hour, (truth.get(hour) ?? 0) + calls);
      }
      assert.deepEqual(new Map(rows.map((row) => [row.hour, row.calls])), truth);
      const lastHour = new Date(backfill.last).toISOString().slice(0, 13).replace('T', ' ');
      assert.ok(
        rows.every((row) => row.at === '55:00' || row.hour === lastHour),
        'each hour written at its last tick, xx:55',
      );
    } finally {
      await backfill.remove();
    }
    assert.equal(existsSync(backfill.dir), false, 'remove() removes everything');
  });

  it('refuses a number of instances below one and a bad history option', async () => {
    await assert.rejects(backfillHistory({ seed: 1, instances: 0 }), /instances must be a whole number >= 1, got 0/);
    await assert.rejects(backfillHistory({ seed: 1, days: 0 }), /history: days must be a whole number >= 1, got 0/);
  });
});
