import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { AggregationType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import Database from 'better-sqlite3';
import {
  EXECUTIONS,
  FAILURES,
  HEALTH,
  INSTALLS,
  LATENCY,
  LATENCY_BOUNDARIES_MS,
  METER_NAME,
  RATING,
  SUCCESSES,
} from '../../src/instruments/names.js';
import { ERROR_COLUMNS, LATENCY_BUCKET_COLUMNS } from '../../src/instruments/perCallColumns.js';
import { flattenMetrics, startOtlpReceiver, type OtlpExportRequest, type OtlpReceiver } from '../helpers/otlpReceiver.js';
import { requirePrometheus, startPrometheus, type PrometheusServer, type TargetHealth } from '../helpers/prometheusServer.js';
import { startPipeline, type Mode, type Pipeline } from '../helpers/viewsPipeline.js';
import {
  exponentialPoints,
  histogramLines,
  otlpSamples,
  prometheusSamplesByInstance,
  type ExponentialPoint,
} from '../helpers/viewsSamples.js';
import {
  byIdentity,
  expectedSamples,
  expectedUsageRows,
  latenciesByOutcome,
  latencySamples,
  sum,
  type LatencyShape,
  type UsageRow,
} from '../helpers/viewsTruth.js';
import { playWorkload } from '../helpers/viewsWorkload.js';

/** One View configuration of the matrix, and what the metric backends must show under it. */
interface ViewCase {
  readonly title: string;
  readonly views: ViewOptions[];
  /** Our metrics the View takes away from Prometheus and OTLP. */
  readonly dropped: ReadonlySet<string>;
  readonly latency: LatencyShape;
  readonly prometheusShows: string;
  readonly otlpShows: string;
  /** Lines spelled out by hand that the Prometheus and OTLP samples must contain, beside the computed whole list. */
  readonly pinned?: readonly string[];
}

const RENAMED = 'tool_latency_ms';
const DEFAULT_LATENCY: LatencyShape = { kind: 'buckets', name: LATENCY.name, boundaries: LATENCY_BOUNDARIES_MS };
const OUR_NAMES = [EXECUTIONS, SUCCESSES, FAILURES, INSTALLS, LATENCY, RATING, HEALTH].map((metric) => metric.name);

const VIEW_CASES: readonly ViewCase[] = [
  {
    title: 'no View',
    views: [],
    dropped: new Set(),
    latency: DEFAULT_LATENCY,
    prometheusShows: 'every metric, the latency in the default buckets',
    otlpShows: 'every metric, the latency in the default buckets',
  },
  {
    title: 'a bucket View [100, 1000] on the latency',
    views: [
      {
        instrumentName: LATENCY.name,
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [100, 1000] } },
      },
    ],
    dropped: new Set(),
    latency: { kind: 'buckets', name: LATENCY.name, boundaries: [100, 1000] },
    prometheusShows: 'the latency in buckets le 100, 1000 and +Inf, the 30 ms calls under le=100',
    otlpShows: 'the latency with bounds [100, 1000], the 30 ms calls in the first bucket',
    // web_search successes: 30, 30, 700, 30 ms; run_sql failures: 30, 2000, 30, 700 ms.
    pinned: [
      `${LATENCY.name}_bucket{le="100",outcome="success",skill_id="web_search"} 3`,
      `${LATENCY.name}_bucket{le="1000",outcome="success",skill_id="web_search"} 4`,
      `${LATENCY.name}_bucket{le="100",outcome="failure",skill_id="run_sql"} 2`,
      `${LATENCY.name}_bucket{le="1000",outcome="failure",skill_id="run_sql"} 3`,
      `${LATENCY.name}_bucket{le="+Inf",outcome="failure",skill_id="run_sql"} 4`,
    ],
  },
  {
    title: 'an exponential-histogram View on the latency',
    views: [{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    dropped: new Set(),
    latency: { kind: 'exponential' },
    // The stock serializer (@opentelemetry/exporter-prometheus 0.223) knows sums, gauges and
    // explicit-bucket histograms only: an exponential histogram gets a HELP/TYPE header without a
    // sample and a diag error 'Unrecognizable DataPointType'. The rest of /metrics is served.
    prometheusShows: 'the counters and the rating but no latency: the stock serializer drops an exponential histogram with a diag error',
    otlpShows: 'the latency as an exponential histogram holding every call, and the counters',
  },
  {
    title: `a View renaming the latency to ${RENAMED}`,
    views: [{ instrumentName: LATENCY.name, name: RENAMED }],
    dropped: new Set(),
    latency: { kind: 'buckets', name: RENAMED, boundaries: LATENCY_BOUNDARIES_MS },
    prometheusShows: `the latency as ${RENAMED} in the default buckets, none under its old name`,
    otlpShows: `the latency as ${RENAMED} in the default buckets, none under its old name`,
  },
  {
    title: 'a DROP View on the failures counter',
    views: [{ instrumentName: FAILURES.name, aggregation: { type: AggregationType.DROP } }],
    dropped: new Set([FAILURES.name]),
    latency: DEFAULT_LATENCY,
    prometheusShows: 'no failures counter, every other metric',
    otlpShows: 'no failures counter, every other metric',
  },
  {
    title: 'a DROP View on the latency histogram',
    views: [{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.DROP } }],
    dropped: new Set([LATENCY.name]),
    latency: { kind: 'dropped' },
    prometheusShows: 'no latency, every other metric',
    otlpShows: 'no latency, every other metric',
  },
  {
    title: 'a DROP View on every instrument of our Meter',
    views: [{ meterName: METER_NAME, instrumentName: '*', aggregation: { type: AggregationType.DROP } }],
    dropped: new Set(OUR_NAMES),
    latency: { kind: 'dropped' },
    prometheusShows: 'none of our metrics',
    otlpShows: 'none of our metrics',
  },
];

const MODES: readonly Mode[] = ['startAnalytics', 'own MeterProvider'];
/** Wall-clock time of the workload: the start of this hour, well inside the SQLite retention. */
const NOW = Math.floor(Date.now() / 3_600_000) * 3_600_000;

/** What one cell's pipeline left in each backend. */
interface Cell {
  readonly mode: Mode;
  readonly viewCase: ViewCase;
  /** Why the pipeline could not be started or played, if so: every test of the cell fails with it. */
  error?: unknown;
  /** `host:port` of its /metrics, as Prometheus labels the instance. */
  instance?: string;
  metricsUrl?: URL;
  prometheus?: string[];
  target?: TargetHealth;
  /** diag errors logged while its /metrics was fetched directly. */
  diagErrors?: string[];
  metricsText?: string;
  otlp?: OtlpExportRequest;
  usage?: UsageRow[];
  /** `name type scope` of every metric_series. */
  genericSeries?: string[];
  /** The last point of each generic histogram series, as sample lines. */
  genericHistograms?: string[];
}

const USAGE_QUERY = `SELECT skill_id, user_id, org_id, sum(execution_count) AS execution_count, sum(success_count) AS success_count,
  sum(failure_count) AS failure_count, ${ERROR_COLUMNS.map((column) => `sum(${column}) AS ${column}`).join(', ')},
  ${LATENCY_BUCKET_COLUMNS.map((column, index) => `sum(${column}) AS bucket_${index}`).join(', ')},
  sum(latency_sum_ms) AS latency_sum_ms, min(latency_min_ms) AS latency_min_ms, max(latency_max_ms) AS latency_max_ms,
  sum(rating_count) AS rating_count, sum(rating_sum) AS rating_sum, sum(install_count) AS install_count
  FROM skill_usage GROUP BY skill_id, user_id, org_id`;

const LAST_HISTOGRAM_POINTS = `SELECT s.name, s.attributes, p.sum, p.bounds, p.bucket_counts FROM metric_series s
  JOIN metric_points p ON p.series_id = s.id
  WHERE s.type = 'histogram' AND p.id = (SELECT max(id) FROM metric_points WHERE series_id = s.id)`;

describe('Views of the MeterProvider through sqlite, prometheus and otlp, with startAnalytics and an own MeterProvider', function () {
  this.timeout(60_000);
  const cells: Cell[] = MODES.flatMap((mode) => VIEW_CASES.map((viewCase) => ({ mode, viewCase })));
  const pipelines: Pipeline[] = [];
  const receivers: OtlpReceiver[] = [];
  let dir: string | undefined;
  let prometheus: PrometheusServer | undefined;

  before(async function () {
    requirePrometheus(this);
    dir = await mkdtemp(join(tmpdir(), 'toolweaver-views-'));
    const started = await playEveryCell(cells, dir, pipelines, receivers);
    prometheus = await scrapeEveryCell([...started.keys()]);
    await prometheus.stop();
    // Shutting down pushes once more: the last OTLP export and the SQLite file are final.
    for (const [cell, { pipeline, receiver, sqlitePath }] of started) {
      await pipeline.shutdown();
      cell.otlp = receiver.requests.filter((request) => request.status === 200 && request.body !== undefined).at(-1)?.body;
      readDatabase(cell, sqlitePath);
    }
  });

  after(async () => {
    await prometheus?.stop();
    for (const pipeline of pipelines) await pipeline.shutdown();
    for (const receiver of receivers) await receiver.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The cell, or its pipeline's error. */
  function played(mode: Mode, viewCase: ViewCase): Cell {
    const cell = cells.find((candidate) => candidate.mode === mode && candidate.viewCase === viewCase)!;
    if (cell.error !== undefined) throw cell.error;
    return cell;
  }

  for (const mode of MODES) {
    describe(`with ${mode}`, () => {
      for (const viewCase of VIEW_CASES) {
        describe(`and ${viewCase.title}`, () => {
          it('sqlite: keeps the exact skill_usage rows per skill, user and org, latency in our default buckets', () => {
            assert.deepEqual(played(mode, viewCase).usage, expectedUsageRows());
          });

          if (viewCase.latency.kind === 'buckets' && viewCase.latency.name !== LATENCY.name) {
            it(`sqlite: stores ${RENAMED} as a generic metric, and none of ours under their own names`, () => {
              const cell = played(mode, viewCase);
              assert.deepEqual(cell.genericSeries, [`${RENAMED} histogram ${METER_NAME}`]);
              assert.deepEqual(cell.genericHistograms, latencySamples(RENAMED, LATENCY_BOUNDARIES_MS));
            });
          } else {
            // The workload stays under the health score's 20 minimum calls: no health sample is taken,
            // which SQLite would store in metric_series under its own name by design (SkillDetailProducer).
            it('sqlite: stores none of our metrics in metric_series', () => {
              assert.deepEqual(played(mode, viewCase).genericSeries, []);
            });
          }

          it(`prometheus: shows ${viewCase.prometheusShows}`, () => {
            const cell = played(mode, viewCase);
            assert.equal(cell.target?.health, 'up', `scrape of ${cell.instance}: ${cell.target?.lastError}`);
            const shown = viewCase.latency.kind === 'exponential' ? { kind: 'dropped' as const } : viewCase.latency;
            assert.deepEqual(cell.prometheus, expectedSamples(viewCase.dropped, shown));
            for (const line of viewCase.pinned ?? []) assert.ok(cell.prometheus!.includes(line), line);
            if (viewCase.latency.kind === 'exponential') {
              assert.ok(
                cell.diagErrors!.some((error) =>
                  /Unrecognizable DataPointType: \d+ for metric "toolweaver_skill_latency_milliseconds"/.test(error),
                ),
                cell.diagErrors!.join('\n'),
              );
              assert.ok(!/^toolweaver_skill_latency_milliseconds/m.test(cell.metricsText!), 'no latency sample in /metrics');
            }
          });

          it(`otlp: carries ${viewCase.otlpShows}`, () => {
            const cell = played(mode, viewCase);
            const metrics = cell.otlp === undefined ? [] : flattenMetrics(cell.otlp);
            const samples = otlpSamples(metrics, METER_NAME);
            assert.deepEqual(samples, expectedSamples(viewCase.dropped, viewCase.latency));
            for (const line of viewCase.pinned ?? []) assert.ok(samples.includes(line), line);
            if (viewCase.latency.kind === 'exponential') {
              assert.equal(metrics.find((metric) => metric.name === LATENCY.name)?.kind, 'exponentialHistogram');
              assertExponentialLatency(exponentialPoints(cell.otlp!, LATENCY.name));
            }
          });

          if (mode === 'own MeterProvider') {
            it('sqlite: writes the same skill_usage rows as startAnalytics, user_id and org_id filled', () => {
              const own = played(mode, viewCase).usage!;
              assert.deepEqual(own, played('startAnalytics', viewCase).usage);
              assert.ok(own.length > 0 && own.every((row) => row['user_id'] !== null && row['org_id'] !== null));
            });
          }
        });
      }
    });
  }
});

/** Where one cell's pipeline writes. */
interface Played {
  readonly pipeline: Pipeline;
  readonly receiver: OtlpReceiver;
  readonly sqlitePath: string;
}

/**
 * Starts every cell's pipeline (its own OTLP receiver and database, its own injected clock), plays
 * the workload and pushes. A cell that fails keeps its error, and only its tests fail.
 */
async function playEveryCell(cells: Cell[], dir: string, pipelines: Pipeline[], receivers: OtlpReceiver[]): Promise<Map<Cell, Played>> {
  const started = new Map<Cell, Played>();
  for (const [index, cell] of cells.entries()) {
    try {
      const receiver = await startOtlpReceiver();
      receivers.push(receiver);
      let monotonic = 0;
      const clock = { now: () => NOW, monotonic: () => monotonic };
      const sqlitePath = join(dir, `cell-${index}.db`);
      const pipeline = await startPipeline(cell.mode, { views: cell.viewCase.views, sqlitePath, otlpUrl: receiver.url, clock });
      pipelines.push(pipeline);
      cell.metricsUrl = pipeline.metricsUrl;
      cell.instance = pipeline.metricsUrl.host;
      await playWorkload(pipeline.skills, (ms) => (monotonic += ms));
      await pipeline.flush();
      started.set(cell, { pipeline, receiver, sqlitePath });
    } catch (error) {
      cell.error = error;
    }
  }
  return started;
}

/**
 * One real Prometheus scrapes every cell's /metrics, each an instance of one job; once each has
 * been scraped, one query reads every series. The /metrics of the exponential cells is also
 * fetched directly, to catch what the exporter reports through diag.
 */
async function scrapeEveryCell(cells: Cell[]): Promise<PrometheusServer> {
  const prometheus = await startPrometheus({ targets: cells.map((cell) => cell.instance!), scrapeIntervalSeconds: 1 });
  try {
    await prometheus.waitFor('count(up)', (result) => result.resultType === 'vector' && result.result[0]?.value.value === cells.length, {
      timeoutMs: 30_000,
    });
    const everything = await prometheus.query('{__name__=~".+"}');
    assert.equal(everything.resultType, 'vector');
    const samples = prometheusSamplesByInstance(everything);
    const targets = await prometheus.targetsHealth();
    for (const cell of cells) {
      cell.prometheus = samples.get(cell.instance!) ?? [];
      cell.target = targets.find((target) => new URL(target.scrapeUrl).host === cell.instance);
      if (cell.viewCase.latency.kind === 'exponential') Object.assign(cell, await fetchLoggingDiag(cell.metricsUrl!));
    }
    return prometheus;
  } catch (error) {
    await prometheus.stop();
    throw error;
  }
}

/** Reads back what the cell's SQLite file holds. */
function readDatabase(cell: Cell, path: string): void {
  const db = new Database(path, { readonly: true });
  try {
    cell.usage = (db.prepare(USAGE_QUERY).all() as UsageRow[]).sort(byIdentity);
    cell.genericSeries = (
      db.prepare('SELECT DISTINCT name, type, scope_name FROM metric_series ORDER BY name').raw().all() as string[][]
    ).map((row) => row.join(' '));
    cell.genericHistograms = genericHistogramLines(db);
  } finally {
    db.close();
  }
}

/** Fetches /metrics with a diag logger that keeps the errors OpenTelemetry reports meanwhile. */
async function fetchLoggingDiag(url: URL): Promise<{ metricsText: string; diagErrors: string[] }> {
  const diagErrors: string[] = [];
  const ignore = () => undefined;
  const logger: DiagLogger = {
    error: (message, ...args) => diagErrors.push([message, ...args].join(' ')),
    warn: ignore,
    info: ignore,
    debug: ignore,
    verbose: ignore,
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true });
  try {
    const response = await fetch(url);
    return { metricsText: await response.text(), diagErrors };
  } finally {
    diag.disable();
  }
}

/** The last point of every generic histogram series of a database, as sample lines, sorted. */
function genericHistogramLines(db: Database.Database): string[] {
  const rows = db.prepare(LAST_HISTOGRAM_POINTS).all() as {
    name: string;
    attributes: string;
    sum: number;
    bounds: string;
    bucket_counts: string;
  }[];
  return rows
    .flatMap((row) => histogramLines(row.name, JSON.parse(row.attributes), JSON.parse(row.bounds), JSON.parse(row.bucket_counts), row.sum))
    .sort();
}

/**
 * Every skill and outcome holds its calls exactly: count, sum, min, max, and each latency in the
 * bucket of the point's own scale, bucket i being (base^i, base^(i+1)] with base = 2^(2^-scale)
 * (no latency of the workload is a power of two, so none sits on a bound).
 */
function assertExponentialLatency(points: ExponentialPoint[]): void {
  const byKey = new Map(points.map((point) => [`${point.attributes['skill_id']} ${point.attributes['outcome']}`, point]));
  const truth = latenciesByOutcome();
  assert.deepEqual([...byKey.keys()].sort(), [...truth.keys()].sort());
  for (const [key, { skillId, outcome, latencies }] of truth) {
    const point = byKey.get(key)!;
    assert.ok(point.scale >= -10 && point.scale <= 20, `${key}: scale ${point.scale}`);
    const positive: Record<number, number> = {};
    for (const latency of latencies) {
      const index = Math.ceil(Math.log2(latency) * 2 ** point.scale) - 1;
      positive[index] = (positive[index] ?? 0) + 1;
    }
    const expected: ExponentialPoint = {
      attributes: { skill_id: skillId, outcome },
      count: latencies.length,
      sum: sum(latencies),
      min: Math.min(...latencies),
      max: Math.max(...latencies),
      scale: point.scale,
      zeroCount: 0,
      positive,
    };
    assert.deepEqual(point, expected, key);
  }
}
