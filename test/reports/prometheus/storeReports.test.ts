import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ReportSourceError } from '../../../src/core/errors.js';
import { adoptionCurve, adoptionReport, coUsageMatrix, recommend, recommendationEffectiveness } from '../../../src/reports.js';
import { healthReport } from '../../../src/reports/healthReport.js';
import { latencyReport } from '../../../src/reports/latency.js';
import { leaderboard, leaderboardsByAgent, LEADERBOARD_METRICS } from '../../../src/reports/leaderboards.js';
import { PrometheusSource } from '../../../src/reports/prometheus/PrometheusSource.js';
import { latencyBucketOf } from './latencyBucket.js';
import { growth, successRateByDay, usageTrend } from '../../../src/reports/trends.js';
import { startAnalytics, type Analytics } from '../../../src/start/startAnalytics.js';
import { firstValue, requirePrometheus, startPrometheus, type PrometheusServer } from '../../helpers/prometheusServer.js';

/** Known traffic: per skill, calls with latencies in ms and the error of each failure. */
const SKILLS = [
  {
    id: 'web_search',
    calls: 240,
    failEvery: 12,
    error: () => Object.assign(new Error('bad gateway'), { status: 502 }),
    ms: (i: number) => 40 + (i % 50) * 7,
  },
  {
    id: 'run_sql',
    calls: 90,
    failEvery: 5,
    error: () => Object.assign(new Error('late'), { name: 'TimeoutError' }),
    ms: (i: number) => 3 + (i % 9),
  },
  { id: 'send_email', calls: 30, failEvery: 0, error: () => new Error('never'), ms: (i: number) => 800 + i * 40 },
  { id: 'new "quoted" \\ skill', calls: 25, failEvery: 2, error: () => Object.assign(new Error('no'), { status: 401 }), ms: () => 12 },
] as const;

describe('reports from a Prometheus source agree with the SQLite source on the same calls', function () {
  this.timeout(90_000);
  let dir: string;
  let analytics: Analytics | undefined;
  let prometheus: PrometheusServer | undefined;
  let db: Database.Database;
  let source: PrometheusSource;
  let total = 0;
  const now = () => Date.now() + 60_000;

  before(async function () {
    requirePrometheus(this);
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-store-'));
    let monotonic = 0;
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['sqlite', 'prometheus'],
      sqlite: { path: join(dir, 'analytics.db'), flushIntervalMs: 3_600_000 },
      prometheus: { port: 0 },
      clock: { now: () => Date.now(), monotonic: () => monotonic },
    });
    await analytics.ready;
    const target = new URL(
      (analytics.describeBackends().find((line) => line.startsWith('prometheus')) as string).replace('prometheus: ', ''),
    );
    prometheus = await startPrometheus({ targets: [target.host], metricsPath: target.pathname, scrapeIntervalSeconds: 0.5 });
    const tools = SKILLS.map((skill) =>
      analytics!.wrap(skill.id, (i: number) => {
        monotonic += skill.ms(i);
        if (skill.failEvery > 0 && i % skill.failEvery === 0) throw skill.error();
        return i;
      }),
    );
    // Every skill is on the store at 0 before its first call: wait for one scrape of them.
    await prometheus.waitFor('count(toolweaver_skill_executions_total)', (result) => firstValue(result) === SKILLS.length, {
      timeoutMs: 15_000,
    });
    for (const [index, skill] of SKILLS.entries()) {
      for (let i = 0; i < skill.calls; i++) {
        try {
          tools[index]!(i);
        } catch {}
        total++;
      }
      for (let i = 0; i < 7; i++) analytics.rate(skill.id, 1 + ((i + index) % 5));
    }
    await analytics.flush();
    await prometheus.waitFor('sum(toolweaver_skill_executions_total)', (result) => firstValue(result) === total, { timeoutMs: 15_000 });
    db = new Database(join(dir, 'analytics.db'), { readonly: true });
    source = new PrometheusSource({ url: prometheus.url });
  });

  after(async () => {
    db?.close();
    await prometheus?.stop();
    await analytics?.shutdown();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  for (const metric of LEADERBOARD_METRICS) {
    it(`leaderboard ${metric}: the same entries, in at most 5 queries`, async () => {
      const options = { metric, window: '24h' as const, minCalls: 10, now: now() };
      const before = source.queries;
      const fromStore = await leaderboard(source, options);
      assert.ok(source.queries - before <= 5, `${source.queries - before} queries`);
      const fromSqlite = leaderboard(db, options);
      const shape = (board: typeof fromSqlite) =>
        board.entries.map(({ rank, skillId, score, previousRank }) => ({ rank, skillId, score, previousRank }));
      assert.deepEqual(shape(fromStore), shape(fromSqlite));
      assert.equal(fromStore.estimate, false);
      if (metric === 'usage')
        assert.equal(
          fromStore.entries.reduce((sum, entry) => sum + entry.score, 0),
          total,
        );
    });
  }

  it('usageTrend, successRateByDay and growth count every call exactly', async () => {
    const options = { window: '24h' as const, now: now() };
    const perSkill = (points: { skillId: string; executions: number; successes: number; failures: number }[]) => {
      const sums = new Map<string, [number, number, number]>();
      for (const point of points) {
        const sum = sums.get(point.skillId) ?? [0, 0, 0];
        sums.set(point.skillId, [sum[0] + point.executions, sum[1] + point.successes, sum[2] + point.failures]);
      }
      return sums;
    };
    for (const granularity of ['hour', 'day', 'week'] as const) {
      assert.deepEqual(
        perSkill(await usageTrend(source, { ...options, granularity })),
        perSkill(usageTrend(db, { ...options, granularity })),
        granularity,
      );
    }
    const days = await successRateByDay(source, options);
    assert.equal(
      days.reduce((sum, day) => sum + day.calls, 0),
      total,
    );
    const rows = await growth(source, options);
    assert.deepEqual(
      rows.map(({ skillId, calls, previousCalls, growthRate }) => ({ skillId, calls, previousCalls, growthRate })),
      growth(db, options),
    );
  });

  it('latencyReport: the same calls and errors; each percentile in the bucket of the SQLite one', async () => {
    const options = { window: '24h' as const, now: now() };
    const before = source.queries;
    const fromStore = await latencyReport(source, options);
    // The window ends at the next hour: read at now, every live series has its histogram near the edges.
    assert.equal(source.queries - before, 2);
    const fromSqlite = latencyReport(db, options);
    assert.deepEqual(
      fromStore.map((row) => [row.skillId, row.calls, row.errorRate, row.errors]),
      fromSqlite.map((row) => [row.skillId, row.calls, row.errorRate, row.errors]),
    );
    for (const [i, row] of fromStore.entries()) {
      const sqliteRow = fromSqlite[i]!;
      assert.equal(row.minMs, null);
      assert.equal(row.maxMs, null);
      assert.ok(Math.abs((row.avgMs ?? 0) - (sqliteRow.avgMs ?? 0)) < 1e-6, `${row.skillId} avg`);
      for (const q of ['p50', 'p95', 'p99'] as const) {
        const [low, high] = latencyBucketOf(sqliteRow[q]!);
        assert.ok(row[q]! >= low && row[q]! <= high, `${row.skillId} ${q}: ${row[q]} outside [${low}, ${high}] of ${sqliteRow[q]}`);
      }
    }
  });

  it('healthReport: every skill with the same calls and success rates, in at most 5 queries', async () => {
    const options = { window: '24h' as const, now: now(), minCalls: 10 };
    const before = source.queries;
    const fromStore = await healthReport(source, options);
    assert.ok(source.queries - before <= 5);
    const fromSqlite = healthReport(db, options);
    const shape = (rows: typeof fromSqlite) =>
      rows
        .map((row) => [row.skillId, row.calls, row.successRate, row.successLowerBound, row.components.rating, row.deprecatedCandidate])
        .sort();
    assert.deepEqual(shape(fromStore), shape(fromSqlite));
    assert.ok(fromStore.every((row) => row.lastUsed !== null && row.estimate === false));
  });

  it('a report of one org refuses a store without org labels instead of printing an empty table', async () => {
    await assert.rejects(
      leaderboard(source, { metric: 'usage', orgId: 'acme', now: now() }),
      (error: unknown) =>
        error instanceof ReportSourceError && /no report can be narrowed to org "acme": .*ANALYTICS_USER_LABELS=true/.test(error.message),
    );
  });

  it('the reports over per-user records refuse a Prometheus source, saying they need the SQLite one', () => {
    const refusals: [string, () => unknown][] = [
      ['adoptionReport', () => adoptionReport(source as never)],
      ['adoptionCurve', () => adoptionCurve(source as never)],
      ['recommend', () => recommend(source as never, { userId: 'u' })],
      ['recommendationEffectiveness', () => recommendationEffectiveness(source as never)],
      ['coUsageMatrix', () => coUsageMatrix(source as never)],
      ['leaderboardsByAgent', () => leaderboardsByAgent(source as never, { metric: 'usage' })],
    ];
    for (const [name, call] of refusals) {
      assert.throws(
        call,
        (error: unknown) => error instanceof ReportSourceError && error.message.startsWith(name) && /SQLite/.test(error.message),
        name,
      );
    }
  });
});
