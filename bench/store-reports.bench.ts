// Reports from a Prometheus store: 200 skills and 7 days of history at a 5-minute sample interval,
// backfilled into a real Prometheus with promtool, beside the SQLite source holding the same days.
// Target: every report under 2 s and at most 5 queries. `--quick`: 20 skills over 2 days.
// The history is replayed through the real pipeline (test/helpers/backfill.ts) once and kept under
// .bench/ with its TSDB blocks: a later run starts Prometheus on them.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { healthReport } from '../src/reports/healthReport.js';
import { latencyReport } from '../src/reports/latency.js';
import { leaderboard } from '../src/reports/leaderboards.js';
import { PrometheusSource } from '../src/reports/prometheus/PrometheusSource.js';
import { growth, usageTrend } from '../src/reports/trends.js';
import { MIGRATIONS } from '../src/store/schema.js';
import { backfillHistory } from '../test/helpers/backfill.js';
import { createBlocksFromOpenMetrics } from '../test/helpers/promtool.js';
import { startPrometheus } from '../test/helpers/prometheusServer.js';
import { measureAsync } from './lib/measure.js';
import { quickMode, type BenchFigure, type BenchRow, type ScenarioResult } from './lib/scenario.js';

const quick = quickMode();
const SHAPE = quick
  ? { seed: 77, skills: 20, days: 2, sampleIntervalMinutes: 5, callsPerSample: 10, instances: 1 }
  : { seed: 77, skills: 200, days: 7, sampleIntervalMinutes: 5, callsPerSample: 100, instances: 1 };
/** A fixed last sample, so the cached history stays valid and runs compare. */
const END = Date.parse('2026-11-27T18:00:00Z');
const WINDOW = quick ? '1d' : '3d';
const TARGET_MS = 2000;
const MAX_QUERIES = 5;

interface CachedHistory {
  readonly tsdb: string;
  readonly sqlitePath: string;
  readonly last: number;
  readonly calls: number;
  readonly samples: number;
  readonly series: number;
  readonly generatedSeconds: number | undefined;
}

/** The history's TSDB blocks and SQLite file under .bench/, made on the first run. */
async function cachedHistory(): Promise<CachedHistory> {
  const key = createHash('sha256')
    .update(JSON.stringify({ SHAPE, END, schema: MIGRATIONS }))
    .digest('hex')
    .slice(0, 10);
  const dir = join(process.cwd(), '.bench', `store-${key}`);
  const tsdb = join(dir, 'tsdb');
  const sqlitePath = join(dir, 'analytics.db');
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath))
    return { tsdb, sqlitePath, ...(JSON.parse(readFileSync(metaPath, 'utf8')) as object), generatedSeconds: undefined } as CachedHistory;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(tsdb, { recursive: true });
  const started = performance.now();
  const backfill = await backfillHistory({ ...SHAPE, end: END, sqliteFlush: 'hour' });
  try {
    await createBlocksFromOpenMetrics(backfill.openMetricsPaths, tsdb, { timeoutMs: 1_800_000 });
    copyFileSync(backfill.sqlitePath, sqlitePath);
    const meta = { last: backfill.last, calls: backfill.calls, samples: backfill.samples, series: backfill.series };
    writeFileSync(metaPath, JSON.stringify(meta));
    return { tsdb, sqlitePath, ...meta, generatedSeconds: (performance.now() - started) / 1000 };
  } finally {
    await backfill.remove();
  }
}

const history = await cachedHistory();
const prometheus = await startPrometheus({ dataDir: history.tsdb });
const db = new Database(history.sqlitePath, { readonly: true });
const source = new PrometheusSource({ url: prometheus.url });
const options = { window: WINDOW, now: history.last } as const;
const runs = quick ? { warmup: 1, runs: 3 } : { warmup: 2, runs: 7 };
const reports: [string, (from: Database.Database | PrometheusSource) => unknown][] = [
  ['leaderboard usage', (from) => leaderboard(from as PrometheusSource, { metric: 'usage', ...options })],
  ['leaderboard rating', (from) => leaderboard(from as PrometheusSource, { metric: 'rating', ...options })],
  ['leaderboard success_rate', (from) => leaderboard(from as PrometheusSource, { metric: 'success_rate', ...options })],
  ['leaderboard most_improved', (from) => leaderboard(from as PrometheusSource, { metric: 'most_improved', ...options })],
  ['leaderboard trending_new', (from) => leaderboard(from as PrometheusSource, { metric: 'trending_new', ...options })],
  [
    'trends: usage per day (7 days)',
    (from) => usageTrend(from as PrometheusSource, { granularity: 'day', window: '7d', now: history.last }),
  ],
  ['trends: growth', (from) => growth(from as PrometheusSource, options)],
  ['latency p50/p95/p99 and errors', (from) => latencyReport(from as PrometheusSource, options)],
  ['health (30 days of last use)', (from) => healthReport(from as PrometheusSource, options)],
  // Two hours after the last sample, as if every process had stopped: the latency histogram is not
  // sampled near the window's end, so each skill's is read again with its end over the whole window.
  [
    'latency, the fleet stopped 2 h before now',
    (from) => latencyReport(from as PrometheusSource, { ...options, now: history.last + 7_200_000 }),
  ],
  [
    'leaderboard most_improved, the fleet stopped 2 h before now',
    (from) => leaderboard(from as PrometheusSource, { metric: 'most_improved', ...options, now: history.last + 7_200_000 }),
  ],
];
const rows: BenchRow[] = [];
const figures: BenchFigure[] = [];
try {
  for (const [name, report] of reports) {
    const before = source.queries;
    await report(source);
    const queries = source.queries - before;
    const subject = await measureAsync(async () => report(source), runs);
    const baseline = await measureAsync(async () => report(db), runs);
    rows.push({
      name,
      subject,
      baselineName: 'the same report from the SQLite file of the same history',
      baseline,
      ratio: subject.medianMs / baseline.medianMs,
      ratioMeaning: 'x the time of the SQLite source',
      target: `< ${TARGET_MS} ms`,
      met: subject.medianMs < TARGET_MS,
    });
    figures.push({
      name: `${name}: queries`,
      value: String(queries),
      baselineName: 'the limit',
      baseline: String(MAX_QUERIES),
      ratio: queries / MAX_QUERIES,
      ratioMeaning: 'of the limit',
      target: `<= ${MAX_QUERIES}`,
      met: queries <= MAX_QUERIES,
    });
  }
} finally {
  db.close();
  await prometheus.stop();
}

const result: ScenarioResult = {
  scenario: 'Reports from a Prometheus store',
  setup: {
    skills: SHAPE.skills,
    days: SHAPE.days,
    'sample interval': `${SHAPE.sampleIntervalMinutes} min`,
    calls: history.calls,
    series: history.series,
    samples: history.samples,
    window: WINDOW,
    store: 'Prometheus 2.42 on promtool blocks',
    'generated in':
      history.generatedSeconds === undefined ? 'cached' : `${history.generatedSeconds.toFixed(0)} s through the real pipeline and promtool`,
  },
  rows,
  figures,
  notes: [
    'Each report from the store is HTTP to a local Prometheus: one request checks the metric names, one or two read every skill at once.',
  ],
};
console.log(JSON.stringify(result));
