import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { QueryAuthError } from '../../../src/core/errors.js';
import { healthReport } from '../../../src/reports/healthReport.js';
import { latencyReport } from '../../../src/reports/latency.js';
import { leaderboard, LEADERBOARD_METRICS, type Leaderboard } from '../../../src/reports/leaderboards.js';
import { PrometheusSource } from '../../../src/reports/prometheus/PrometheusSource.js';
import { latencyBucketOf } from './latencyBucket.js';
import { growth, successRateByDay, usageTrend } from '../../../src/reports/trends.js';
import { backfillHistory, startBackfilledPrometheus, startBackfilledVictoriaMetrics, type Backfill } from '../../helpers/backfill.js';
import { requirePromtool } from '../../helpers/promtool.js';
import { requirePrometheus, type PrometheusServer } from '../../helpers/prometheusServer.js';
import { requireVictoriaMetrics, type VictoriaMetricsServer } from '../../helpers/victoriaMetrics.js';

const SEED = 20261209;
const DAYS = 8;

/** A board's places, scores and rank changes: what both sources must agree on (a store's firstUse is the hour). */
function places(board: Leaderboard) {
  return board.entries.map(({ rank, skillId, score, previousRank, rankChange }) => ({ rank, skillId, score, previousRank, rankChange }));
}

/**
 * One seeded history of 8 days (a rising, an improving and a late-released skill among 8), replayed
 * through the real pipeline into a SQLite file and into OpenMetrics scrapes, then backfilled into
 * Prometheus with promtool (its API behind basic auth) and imported into VictoriaMetrics: both
 * sources hold the same days, so the windowed reports (trends by day, rank change, trending, most
 * improved) must agree.
 */
describe('the windowed reports on one backfilled history agree between SQLite, Prometheus and VictoriaMetrics', function () {
  this.timeout(300_000);
  let backfill: Backfill | undefined;
  let db: Database.Database | undefined;
  let prometheus: PrometheusServer | undefined;
  let victoria: VictoriaMetricsServer | undefined;

  before(async function () {
    requirePrometheus(this);
    requirePromtool(this);
    requireVictoriaMetrics(this);
    backfill = await backfillHistory({ seed: SEED, days: DAYS, sqliteFlush: 'hour' });
    db = new Database(backfill.sqlitePath, { readonly: true });
    prometheus = await startBackfilledPrometheus(backfill, { apiAuth: true });
    victoria = await startBackfilledVictoriaMetrics(backfill);
  });

  after(async () => {
    db?.close();
    await prometheus?.stop();
    await victoria?.stop();
    await backfill?.remove();
  });

  it('Prometheus with basic auth: without credentials a QueryAuthError, with the wrong token too', async () => {
    const options = { metric: 'usage' as const, window: '1d' as const, now: backfill!.last };
    await assert.rejects(leaderboard(new PrometheusSource({ url: prometheus!.url }), options), (error: unknown) => {
      assert.ok(error instanceof QueryAuthError);
      assert.match(error.message, /HTTP 401, sent no credentials/);
      return true;
    });
    const wrong = new PrometheusSource({ url: prometheus!.url, user: prometheus!.apiAuth!.username, token: 'not-the-password' });
    await assert.rejects(
      leaderboard(wrong, options),
      (error: unknown) => error instanceof QueryAuthError && !error.message.includes('not-the-password'),
    );
  });

  const engines: [string, () => PrometheusSource][] = [
    [
      'Prometheus',
      () => new PrometheusSource({ url: prometheus!.url, user: prometheus!.apiAuth!.username, token: prometheus!.apiAuth!.password }),
    ],
    ['VictoriaMetrics', () => new PrometheusSource({ url: victoria!.url })],
  ];

  for (const [engine, open] of engines) {
    describe(engine, () => {
      it('every leaderboard over 1d and 3d windows: the same places, scores and rank changes', async () => {
        const source = open();
        let ranked = 0;
        for (const window of ['1d', '3d'] as const) {
          for (const metric of LEADERBOARD_METRICS) {
            const options = { metric, window, minCalls: 10, now: backfill!.last };
            const before = source.queries;
            const fromStore = await leaderboard(source, options);
            assert.ok(source.queries - before <= 5, `${window} ${metric}: ${source.queries - before} queries`);
            const fromSqlite = leaderboard(db!, options);
            assert.deepEqual(places(fromStore), places(fromSqlite), `${window} ${metric}`);
            assert.equal(fromStore.estimate, false);
            ranked += fromStore.entries.filter((entry) => entry.previousRank !== null).length;
          }
        }
        // The history's rising, improving and late skills move: the boards carry rank changes.
        assert.ok(ranked > 10, `${ranked} entries with a previous rank`);
        const trending = await leaderboard(source, { metric: 'trending_new', window: '1d', now: backfill!.last });
        assert.ok(trending.entries.length > 0, 'the late-released skill trends');
        const improved = await leaderboard(source, { metric: 'most_improved', window: '3d', minCalls: 10, now: backfill!.last });
        assert.ok(improved.entries.length > 0, 'the improving skill is most improved');
      });

      it('trends by day and by hour, success rates by day and growth: the same numbers', async () => {
        const source = open();
        // One day more than the history, so the window holds all of it (a relative window ends at the hour after now).
        const options = { window: `${DAYS + 1}d` as const, now: backfill!.last };
        for (const granularity of ['day', 'hour', 'week'] as const) {
          const strip = (points: { skillId: string; bucket: string; executions: number; successes: number; failures: number }[]) =>
            points.map(({ skillId, bucket, executions, successes, failures }) => ({ skillId, bucket, executions, successes, failures }));
          assert.deepEqual(
            strip(await usageTrend(source, { ...options, granularity })),
            strip(usageTrend(db!, { ...options, granularity })),
            granularity,
          );
        }
        const days = await successRateByDay(source, options);
        assert.deepEqual(
          days.map(({ skillId, day, calls, successRate }) => ({ skillId, day, calls, successRate })),
          successRateByDay(db!, options),
        );
        assert.equal(
          days.reduce((sum, day) => sum + day.calls, 0),
          backfill!.calls,
        );
        const rows = await growth(source, { window: '2d', now: backfill!.last });
        assert.deepEqual(
          rows.map(({ skillId, calls, previousCalls, growthRate }) => ({ skillId, calls, previousCalls, growthRate })),
          growth(db!, { window: '2d', now: backfill!.last }),
        );
      });

      it('latency and health over 3d: the same calls, errors and scores; percentiles in the same bucket', async () => {
        const source = open();
        const options = { window: '3d' as const, now: backfill!.last };
        const fromStore = await latencyReport(source, options);
        const fromSqlite = latencyReport(db!, options);
        assert.deepEqual(
          fromStore.map((row) => [row.skillId, row.calls, row.errors]),
          fromSqlite.map((row) => [row.skillId, row.calls, row.errors]),
        );
        for (const [i, row] of fromStore.entries()) {
          for (const q of ['p50', 'p95', 'p99'] as const) {
            const [low, high] = latencyBucketOf(fromSqlite[i]![q]!);
            assert.ok(row[q]! >= low && row[q]! <= high, `${row.skillId} ${q} ${row[q]} not in [${low}, ${high}]`);
          }
        }
        const health = await healthReport(source, { ...options, minCalls: 10 });
        const shape = (rows: typeof health) => rows.map((row) => [row.skillId, row.score, row.calls, row.successRate, row.components]);
        assert.deepEqual(shape(health), shape(healthReport(db!, { ...options, minCalls: 10 })));
      });
    });
  }
});
