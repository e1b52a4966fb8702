import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { healthReport } from '../../../src/reports/healthReport.js';
import { latencyReport } from '../../../src/reports/latency.js';
import { leaderboard, LEADERBOARD_METRICS } from '../../../src/reports/leaderboards.js';
import { PrometheusSource } from '../../../src/reports/prometheus/PrometheusSource.js';
import { growth, usageTrend } from '../../../src/reports/trends.js';
import type { ReplayEvent } from '../../agreement/replay.js';
import { startFleet, type Fleet } from '../../helpers/fleet.js';
import { clearOfHourEdge } from '../../helpers/hourEdge.js';
import { requirePrometheus, startPrometheus } from '../../helpers/prometheusServer.js';
import { firstValue, type QueryApi } from '../../helpers/queryApi.js';
import { requireVictoriaMetrics, startVictoriaMetrics } from '../../helpers/victoriaMetrics.js';

const SEED = 20261208;
const TOTAL_CALLS = 'sum(last_over_time(toolweaver_skill_executions_total[10m]))';
const callsOf = (events: readonly ReplayEvent[]): number => events.filter((event) => event.kind === 'call').length;

/** A running store scraping the fleet. */
type Store = QueryApi & { stop(): Promise<void> };

const ENGINES: { name: string; start(ctx: Mocha.Context, targets: string[]): Promise<Store> }[] = [
  {
    name: 'Prometheus 2.42',
    async start(ctx, targets) {
      requirePrometheus(ctx);
      return startPrometheus({ targets, scrapeIntervalSeconds: 0.5 });
    },
  },
  {
    name: 'VictoriaMetrics 1.79',
    async start(ctx, targets) {
      requireVictoriaMetrics(ctx);
      return startVictoriaMetrics({ targets, scrapeIntervalSeconds: 0.5 });
    },
  },
];

/**
 * Four processes of one application share one seeded traffic and one SQLite file; a real store
 * scrapes all four. The reports from the store, summed over the four instances, equal the SQLite
 * reports: totals over the day, and the last hour.
 */
describe('a fleet of 4 processes: the reports from its store equal those from its SQLite file', function () {
  this.timeout(300_000);
  let fleet: Fleet | undefined;
  let db: Database.Database | undefined;
  // The time the reports are made at: the fleet's calls and every scrape of them lie in its hour.
  let reportedAt = 0;
  const now = () => reportedAt;

  before(async function () {
    requirePrometheus(this);
    await clearOfHourEdge();
    fleet = await startFleet({ seed: SEED, processes: 4, sqlite: 'shared' });
    db = new Database(fleet.dbPaths[0]!, { readonly: true });
  });

  after(async () => {
    db?.close();
    await fleet?.stop();
  });

  for (const engine of ENGINES) {
    describe(engine.name, () => {
      let store: Store | undefined;
      let source: PrometheusSource;

      before(async function () {
        store = await engine.start(this, fleet!.targets);
        const calls = callsOf(fleet!.events);
        await store.waitFor(TOTAL_CALLS, (result) => firstValue(result) === calls, { timeoutMs: 30_000 });
        source = new PrometheusSource({ url: store.url });
        reportedAt = Date.now();
      });

      after(async () => {
        await store?.stop();
      });

      for (const window of ['24h', '1h'] as const) {
        it(`every leaderboard over ${window}: the same places and scores, at most 5 queries each`, async () => {
          for (const metric of LEADERBOARD_METRICS) {
            const options = { metric, window, minCalls: 5, now: now() };
            const before = source.queries;
            const fromStore = await leaderboard(source, options);
            assert.ok(source.queries - before <= 5, `${metric}: ${source.queries - before} queries`);
            const fromSqlite = leaderboard(db!, options);
            const places = (board: typeof fromSqlite) => board.entries.map(({ rank, skillId, score }) => ({ rank, skillId, score }));
            assert.deepEqual(places(fromStore), places(fromSqlite), metric);
            assert.equal(fromStore.estimate, false);
          }
        });

        it(`growth, trends, latency and health over ${window}: the same calls and failures per skill`, async () => {
          const options = { window, now: now() };
          const calls = callsOf(fleet!.events);
          const rows = await growth(source, options);
          assert.deepEqual(
            rows.map(({ skillId, calls: c }) => [skillId, c]),
            growth(db!, options).map(({ skillId, calls: c }) => [skillId, c]),
          );
          assert.equal(
            rows.reduce((sum, row) => sum + row.calls, 0),
            calls,
          );
          const trend = await usageTrend(source, { ...options, granularity: 'hour' });
          assert.equal(
            trend.reduce((sum, point) => sum + point.executions, 0),
            calls,
          );
          const latency = await latencyReport(source, options);
          assert.deepEqual(
            latency.map((row) => [row.skillId, row.calls, row.errors]),
            latencyReport(db!, options).map((row) => [row.skillId, row.calls, row.errors]),
          );
          const health = await healthReport(source, { ...options, minCalls: 5 });
          const shape = (report: typeof health) => report.map((row) => [row.skillId, row.calls, row.successRate, row.score]).sort();
          assert.deepEqual(shape(health), shape(healthReport(db!, { ...options, minCalls: 5 })));
        });
      }
    });
  }
});
