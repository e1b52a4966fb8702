import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { latencyReport } from '../../src/reports/latency.js';
import { histogramQuantile } from '../../src/health/histogramQuantile.js';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { bucketIndex } from '../../src/instruments/HistogramState.js';
import { LATENCY_BOUNDARIES_MS } from '../../src/instruments/names.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../../src/instruments/perCallColumns.js';
import { startAnalytics, type Analytics } from '../../src/start/startAnalytics.js';
import { flattenMetrics, startOtlpReceiver, type FlatMetric, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { requirePrometheus, startPrometheus, type PrometheusServer, type QueryResult } from '../helpers/prometheusServer.js';
import { replayPlayer } from './playReplay.js';
import { exactP95, replay, totalsBy, type ReplayEvent, type Totals } from './replay.js';

/** What one backend says about one skill. */
interface SkillView {
  executions: number;
  successes: number;
  failures: Record<string, number>;
  latencyBuckets: number[];
  latencyCount: number;
  latencySum: number;
  ratingCount: number;
  ratingSum: number;
  stars: number[];
  installs: number;
}

const START = Date.parse('2026-01-05T09:00:00Z');
const INTERVAL_MS = 60_000;
const SEED = 20260105;
function truthView(total: Totals): SkillView {
  const { latencies: _latencies, ...rest } = total;
  // Every error type of every skill, 0 where none occurred: the metric backends emit each from the wrap on.
  const failures = Object.fromEntries(ERROR_TYPES.map((type) => [type, total.failures[type] ?? 0]));
  return { ...rest, failures, latencyCount: total.executions };
}

describe('one replay through sqlite, prometheus and otlp at once', function () {
  this.timeout(60_000);
  const events: ReplayEvent[] = replay(SEED).flat();
  const truth = totalsBy(events, (event) => event.skillId);
  let dir: string;
  let receiver: OtlpReceiver;
  let analytics: Analytics | undefined;
  let prometheus: PrometheusServer | undefined;
  let db: Database.Database | undefined;
  const views = new Map<'sqlite' | 'prometheus' | 'otlp', Map<string, SkillView>>();
  /** The fastest and slowest call the latency report knows of each skill (it reads them for small skills only). */
  const reportExtremes = new Map<string, [number, number]>();
  const p95s = new Map<'sqlite' | 'sqlite latencyReport' | 'prometheus' | 'otlp', Map<string, number>>();

  before(async function () {
    requirePrometheus(this);
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-agreement-'));
    receiver = await startOtlpReceiver();
    let now = START;
    let monotonic = 0;
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['sqlite', 'prometheus', 'otlp'],
      sqlite: { path: join(dir, 'analytics.db'), flushIntervalMs: 3_600_000 },
      prometheus: { port: 0 },
      otlp: { url: receiver.url, pushIntervalMs: 3_600_000 },
      // Latencies are exactly the replay's: the monotonic clock moves only inside the skills.
      clock: { now: () => now, monotonic: () => monotonic },
    });
    await analytics.ready;
    const target = new URL((analytics.describeBackends()[1] as string).replace('prometheus: ', ''));
    prometheus = await startPrometheus({ targets: [target.host], metricsPath: target.pathname, scrapeIntervalSeconds: 1 });
    await play(
      analytics,
      (ms) => (monotonic += ms),
      () => (now += INTERVAL_MS),
    );

    await prometheus.waitFor(
      'sum(toolweaver_skill_executions_total)',
      (result) => sumOf(result) === events.filter((e) => e.kind === 'call').length,
      { timeoutMs: 30_000 },
    );
    views.set('prometheus', await prometheusViews(prometheus));
    p95s.set(
      'prometheus',
      byLabel(
        await prometheus.query('histogram_quantile(0.95, sum by (skill_id, le) (toolweaver_skill_latency_milliseconds_bucket))'),
        'skill_id',
      ),
    );
    await analytics.shutdown();
    const last = receiver.requests.filter((request) => request.status === 200).at(-1);
    assert.ok(last?.body, 'the otlp backend pushed');
    views.set('otlp', otlpViews(flattenMetrics(last.body)));
    p95s.set('otlp', p95Of(views.get('otlp')!));
    db = new Database(join(dir, 'analytics.db'), { readonly: true });
    views.set('sqlite', sqliteViews(db));
    p95s.set('sqlite', p95Of(views.get('sqlite')!));
    const report = latencyReport(db, { window: '24h', now });
    p95s.set('sqlite latencyReport', new Map(report.map((row) => [row.skillId, row.p95 as number])));
    for (const row of report) reportExtremes.set(row.skillId, [row.minMs ?? -Infinity, row.maxMs ?? Infinity]);
  });

  after(async () => {
    db?.close();
    await prometheus?.stop();
    await analytics?.shutdown();
    await receiver?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** Plays every interval through the package, then exports it. */
  async function play(app: Analytics, spend: (ms: number) => void, nextInterval: () => void): Promise<void> {
    const player = replayPlayer(app, spend);
    for (const { skillId } of events) player.register(skillId);
    for (const interval of replay(SEED)) {
      await player.play(interval);
      nextInterval();
      await app.flush();
    }
  }

  it('counts calls, successes and failures by type per skill the same in SQLite, Prometheus and OTLP, as the replay made them', () => {
    const counts = (view: Map<string, SkillView>) =>
      new Map([...view].map(([skill, { executions, successes, failures }]) => [skill, { executions, successes, failures }]));
    const expected = counts(new Map([...truth].map(([skill, total]) => [skill, truthView(total)])));
    for (const backend of ['sqlite', 'prometheus', 'otlp'] as const) assert.deepEqual(counts(views.get(backend)!), expected, backend);
    assert.ok(
      [...truth.values()].every((total) => Object.keys(total.failures).length > 0),
      'every skill failed at least once',
    );
    assert.equal(
      new Set([...truth.values()].flatMap((total) => Object.keys(total.failures))).size,
      ERROR_TYPES.length,
      'every error type occurred',
    );
  });

  it('has the same latency buckets, count and sum per skill in all three, as the replay timed them', () => {
    const latency = (view: Map<string, SkillView>) =>
      new Map(
        [...view].map(([skill, { latencyBuckets, latencyCount, latencySum }]) => [skill, { latencyBuckets, latencyCount, latencySum }]),
      );
    const expected = latency(new Map([...truth].map(([skill, total]) => [skill, truthView(total)])));
    for (const backend of ['sqlite', 'prometheus', 'otlp'] as const) assert.deepEqual(latency(views.get(backend)!), expected, backend);
  });

  it('counts ratings by star and installs per skill the same in all three, as the replay gave them', () => {
    const feedback = (view: Map<string, SkillView>) =>
      new Map(
        [...view].map(([skill, { ratingCount, ratingSum, stars, installs }]) => [skill, { ratingCount, ratingSum, stars, installs }]),
      );
    const expected = feedback(new Map([...truth].map(([skill, total]) => [skill, truthView(total)])));
    for (const backend of ['sqlite', 'prometheus', 'otlp'] as const) assert.deepEqual(feedback(views.get(backend)!), expected, backend);
  });

  it('gives the same p95 per skill from all three, within one bucket of the exact p95', () => {
    const reference = p95s.get('prometheus')!;
    assert.deepEqual([...reference.keys()].sort(), [...truth.keys()].sort());
    for (const [backend, p95] of p95s) {
      for (const [skill, value] of reference) {
        // The same buckets go in; only the floating point of Go and JavaScript may differ. The
        // latency report also knows the fastest and slowest call (exact, as the replay shows) and
        // keeps its estimate between them: Prometheus' estimate, clamped so, is the report's.
        const [min, max] = reportExtremes.get(skill) ?? [-Infinity, Infinity];
        const latencies = truth.get(skill)!.latencies;
        if (min !== -Infinity) assert.deepEqual([min, max], [Math.min(...latencies), Math.max(...latencies)], `${skill}: min and max`);
        const expected = backend === 'sqlite latencyReport' ? Math.min(Math.max(value, min), max) : value;
        const got = p95.get(skill) ?? NaN;
        assert.ok(
          Math.abs(got - expected) <= 1e-9 * Math.max(1, expected),
          `${backend} p95 of ${skill}: ${got} against ${expected} (Prometheus' ${value})`,
        );
      }
    }
    const bucketsSeen = new Set<number>();
    for (const [skill, total] of truth) {
      // An estimate interpolates inside the bucket that holds the rank-⌈0.95 n⌉ call, the exact p95,
      // so both fall in one bucket (upper bounds inclusive); the estimate may sit on that bucket's
      // lower bound, which belongs to the bucket below, and a p95 past the last bound is estimated
      // as that bound. So: the bucket of the estimate is the exact p95's bucket or its neighbour.
      const exact = bucketIndex(LATENCY_BOUNDARIES_MS, exactP95(total.latencies));
      const estimated = bucketIndex(LATENCY_BOUNDARIES_MS, reference.get(skill)!);
      assert.ok(
        Math.abs(exact - estimated) <= 1,
        `${skill}: exact p95 ${exactP95(total.latencies)} ms in bucket ${exact}, estimate ${reference.get(skill)} in bucket ${estimated}`,
      );
      bucketsSeen.add(exact);
    }
    assert.ok(
      bucketsSeen.has(0) && bucketsSeen.has(LATENCY_BOUNDARIES_MS.length),
      'p95 in the first bucket and past the last bound are both exercised',
    );
  });

  it("keeps each user's and org's calls, ratings and installs in SQLite, adding up to the replay", () => {
    const keyOf = (event: ReplayEvent) => `${event.skillId} ${event.user?.userId ?? '-'} ${event.user?.orgId ?? '-'}`;
    const perUser = db!
      .prepare(
        `SELECT skill_id || ' ' || coalesce(user_id, '-') || ' ' || coalesce(org_id, '-') AS key, sum(execution_count) AS executions,
           sum(success_count) AS successes, sum(failure_count) AS failures, sum(rating_count) AS ratings, sum(rating_sum) AS stars, sum(install_count) AS installs
         FROM skill_usage GROUP BY key`,
      )
      .all() as {
      key: string;
      executions: number;
      successes: number;
      failures: number;
      ratings: number;
      stars: number;
      installs: number;
    }[];
    const expected = [...totalsBy(events, keyOf)].map(([key, total]) => ({
      key,
      executions: total.executions,
      successes: total.successes,
      failures: total.executions - total.successes,
      ratings: total.ratingCount,
      stars: total.ratingSum,
      installs: total.installs,
    }));
    const byKey = (rows: { key: string }[]) => [...rows].sort((a, b) => (a.key < b.key ? -1 : 1));
    assert.deepEqual(byKey(perUser), byKey(expected));
    assert.ok(perUser.length > 100, `rows for many users, got ${perUser.length}`);

    const perOrg = db!
      .prepare(`SELECT skill_id || ' ' || org_id AS key, sum(execution_count) AS executions FROM skill_usage_hourly GROUP BY key`)
      .all();
    const orgTruth = [...totalsBy(events, (event) => `${event.skillId} ${event.user?.orgId ?? ''}`)]
      .filter(([, total]) => total.executions > 0)
      .map(([key, total]) => ({ key, executions: total.executions }));
    assert.deepEqual(byKey(perOrg as { key: string }[]), byKey(orgTruth));
  });
});

function sumOf(result: QueryResult): number | undefined {
  return result.resultType === 'vector' ? result.result.reduce((sum, sample) => sum + sample.value.value, 0) : undefined;
}

/** The value of each series of an instant vector by one label. */
function byLabel(result: QueryResult, label: string): Map<string, number> {
  assert.equal(result.resultType, 'vector');
  return new Map(result.result.map((sample) => [sample.metric[label] as string, sample.value.value]));
}

function emptyView(): SkillView {
  return {
    executions: 0,
    successes: 0,
    failures: {},
    latencyBuckets: new Array<number>(LATENCY_BOUNDARIES_MS.length + 1).fill(0),
    latencyCount: 0,
    latencySum: 0,
    ratingCount: 0,
    ratingSum: 0,
    stars: [0, 0, 0, 0, 0],
    installs: 0,
  };
}

function viewOf(views: Map<string, SkillView>, skill: string): SkillView {
  let view = views.get(skill);
  if (view === undefined) {
    view = emptyView();
    views.set(skill, view);
  }
  return view;
}

/** Per-bucket counts from cumulative `le` series. */
function fromCumulative(cumulative: Map<number, number>): number[] {
  const bounds = [...LATENCY_BOUNDARIES_MS, Infinity];
  return bounds.map((bound, index) => (cumulative.get(bound) ?? 0) - (index === 0 ? 0 : (cumulative.get(bounds[index - 1]!) ?? 0)));
}

/** Each skill as PromQL over the series Prometheus scraped from our /metrics reads it. */
async function prometheusViews(prometheus: PrometheusServer): Promise<Map<string, SkillView>> {
  const views = new Map<string, SkillView>();
  const vector = async (promql: string) => {
    const result = await prometheus.query(promql);
    assert.equal(result.resultType, 'vector', promql);
    return result.result;
  };
  const perSkill = async (promql: string, set: (view: SkillView, value: number) => void) => {
    for (const sample of await vector(promql)) set(viewOf(views, sample.metric['skill_id'] as string), sample.value.value);
  };
  await perSkill('sum by (skill_id) (toolweaver_skill_executions_total)', (view, value) => (view.executions = value));
  await perSkill('sum by (skill_id) (toolweaver_skill_success_total)', (view, value) => (view.successes = value));
  await perSkill('sum by (skill_id) (toolweaver_skill_installs_total)', (view, value) => (view.installs = value));
  await perSkill('sum by (skill_id) (toolweaver_skill_latency_milliseconds_count)', (view, value) => (view.latencyCount = value));
  await perSkill('sum by (skill_id) (toolweaver_skill_latency_milliseconds_sum)', (view, value) => (view.latencySum = value));
  await perSkill('sum by (skill_id) (toolweaver_skill_rating_count)', (view, value) => (view.ratingCount = value));
  await perSkill('sum by (skill_id) (toolweaver_skill_rating_sum)', (view, value) => (view.ratingSum = value));
  for (const sample of await vector('sum by (skill_id, error_type) (toolweaver_skill_failures_total)')) {
    viewOf(views, sample.metric['skill_id'] as string).failures[sample.metric['error_type'] as string] = sample.value.value;
  }
  for (const [name, set] of [
    ['toolweaver_skill_latency_milliseconds_bucket', (view: SkillView, counts: number[]) => (view.latencyBuckets = counts)],
    ['toolweaver_skill_rating_bucket', (view: SkillView, counts: number[]) => (view.stars = counts.slice(0, 5))],
  ] as const) {
    const cumulative = new Map<string, Map<number, number>>();
    for (const sample of await vector(`sum by (skill_id, le) (${name})`)) {
      const skill = sample.metric['skill_id'] as string;
      const le = sample.metric['le'] === '+Inf' ? Infinity : Number(sample.metric['le']);
      cumulative.set(skill, (cumulative.get(skill) ?? new Map<number, number>()).set(le, sample.value.value));
    }
    for (const [skill, byBound] of cumulative)
      set(viewOf(views, skill), name.includes('rating') ? fromCumulativeRatings(byBound) : fromCumulative(byBound));
  }
  return views;
}

function fromCumulativeRatings(cumulative: Map<number, number>): number[] {
  return [1, 2, 3, 4, 5].map((star) => (cumulative.get(star) ?? 0) - (cumulative.get(star - 1) ?? 0));
}

/** Each skill as the last OTLP export (cumulative) carries it, added up over outcomes and error types. */
function otlpViews(metrics: FlatMetric[]): Map<string, SkillView> {
  const views = new Map<string, SkillView>();
  for (const metric of metrics) {
    for (const point of metric.points) {
      const skill = point.attributes['skill_id'];
      if (typeof skill !== 'string') continue;
      const view = viewOf(views, skill);
      const value = point.value ?? 0;
      switch (metric.name) {
        case 'toolweaver_skill_executions_total':
          view.executions += value;
          break;
        case 'toolweaver_skill_success_total':
          view.successes += value;
          break;
        case 'toolweaver_skill_failures_total':
          view.failures[point.attributes['error_type'] as string] = value;
          break;
        case 'toolweaver_skill_installs_total':
          view.installs += value;
          break;
        case 'toolweaver_skill_latency_milliseconds':
          view.latencyCount += point.count ?? 0;
          view.latencySum += point.sum ?? 0;
          point.bucketCounts?.forEach((count, index) => {
            view.latencyBuckets[index]! += count;
          });
          break;
        case 'toolweaver_skill_rating':
          view.ratingCount += point.count ?? 0;
          view.ratingSum += point.sum ?? 0;
          view.stars = (point.bucketCounts ?? []).slice(0, 5);
      }
    }
  }
  return views;
}

/** Each skill as the SQLite tables hold it: skill_usage rows added up, stars from skill_metrics. */
function sqliteViews(db: Database.Database): Map<string, SkillView> {
  const sum = (columns: readonly string[]) => columns.map((column) => `sum(${column})`).join(', ');
  const rows = db
    .prepare(
      `SELECT skill_id, sum(execution_count), sum(success_count), ${sum(ERROR_COLUMNS)}, ${sum(LATENCY_BUCKET_COLUMNS)}, sum(latency_sum_ms),
         sum(rating_count), sum(rating_sum), sum(install_count) FROM skill_usage GROUP BY skill_id`,
    )
    .raw()
    .all() as [string, ...number[]][];
  const stars = new Map(
    (
      db
        .prepare('SELECT skill_id, stars_1, stars_2, stars_3, stars_4, stars_5, rating_count, install_count FROM skill_metrics')
        .raw()
        .all() as [string, ...number[]][]
    ).map(([skill, ...values]) => [skill, values]),
  );
  return new Map(
    rows.map(([skill, executions, successes, ...rest]) => {
      const failures = Object.fromEntries(ERROR_TYPES.map((type, index) => [type, rest[index]!]));
      const latencyBuckets = rest.slice(ERROR_TYPES.length, ERROR_TYPES.length + LATENCY_BUCKET_COLUMNS.length);
      const [latencySum, ratingCount, ratingSum, installs] = rest.slice(ERROR_TYPES.length + LATENCY_BUCKET_COLUMNS.length) as [
        number,
        number,
        number,
        number,
      ];
      const metrics = stars.get(skill) ?? [];
      // skill_metrics keeps its own totals of ratings and installs: they must agree with the rows.
      assert.deepEqual([metrics[5], metrics[6]], [ratingCount, installs], `skill_metrics of ${skill}`);
      const view: SkillView = {
        executions: executions!,
        successes: successes!,
        failures,
        latencyBuckets,
        latencyCount: latencyBuckets.reduce((a, b) => a + b, 0),
        latencySum,
        ratingCount,
        ratingSum,
        stars: metrics.slice(0, 5),
        installs,
      };
      return [skill, view];
    }),
  );
}

function p95Of(views: Map<string, SkillView>): Map<string, number> {
  return new Map([...views].map(([skill, view]) => [skill, histogramQuantile(0.95, LATENCY_BOUNDARIES_MS, view.latencyBuckets)]));
}
