import { withContext } from '../../src/instruments/identity.js';
import { CARDINALITY, callFixtures } from './callFixtures.js';
import { CALL_KINDS, sinkValue, type CallKind, type CallLoops } from './callLoops.js';
import { interleave, pairwiseDifference, perCallNs } from './interleave.js';
import { summarize, type Timing } from './measure.js';
import { costRatioRow, quickMode, type BenchRow, type ScenarioResult } from './scenario.js';

const SKILL_COUNTS = [10, 1_000, 10_000];
/** Every call is made for one user of one org, as an agent serving a request does (the default backend keeps per-user rows). */
const USER = { userId: 'user_42', orgId: 'acme' };

/**
 * The cost of one wrapped call above the bare call, for `kind`, with 10, 1,000 and 10,000 skill ids
 * taken in turn: ours from startAnalytics with the default sqlite backend and with the prometheus
 * backend, and ours over the application's own MeterProvider, each against hand-written
 * OpenTelemetry making the same three recordings with the same attributes; prom-client reported beside it.
 */
export async function callScenario(kind: CallKind): Promise<ScenarioResult> {
  const quick = quickMode();
  const batch = quick ? 2_000 : 20_000;
  const runs = quick ? { warmup: 1, runs: 3 } : { warmup: 5, runs: 21 };
  const rows: BenchRow[] = [];
  for (const skillCount of SKILL_COUNTS) {
    const fixtures = callFixtures(skillCount, CALL_KINDS[kind].skill);
    const loops = CALL_KINDS[kind].loops(fixtures, batch);
    const batches = await withContext(USER, () => interleave<keyof CallLoops>({ ...loops }, runs));
    await fixtures.close();
    rows.push(...kindRows(`${kind}, ${skillCount.toLocaleString('en')} skill ids`, batches, batch));
  }
  return {
    scenario: `Per wrapped call: ${kind}`,
    unit: 'ns per call',
    setup: {
      'calls per batch': batch,
      batches: runs.runs,
      'warm-up batches': runs.warmup,
      'skill ids': SKILL_COUNTS.join(', '),
      sink: Math.sign(sinkValue()),
    },
    rows,
    notes: NOTES,
  };
}

const HAND_WRITTEN_OTEL = 'hand-written OpenTelemetry: two counters and the latency histogram';

function kindRows(label: string, batches: Record<keyof CallLoops, number[]>, batch: number): BenchRow[] {
  const ns = (name: keyof CallLoops) => perCallNs(batches[name], batch);
  const above = (name: keyof CallLoops) => summarize(pairwiseDifference(ns(name), ns('bare')));
  const otel = above('otel');
  return [
    costRow(`${label}: ours, startAnalytics, sqlite backend (default), above the bare call`, above('oursSqlite'), otel),
    costRow(`${label}: ours, startAnalytics, prometheus or otlp backend, above the bare call`, above('oursPrometheus'), otel),
    costRow(`${label}: ours over the application's own MeterProvider (sqlite reader), above the bare call`, above('oursOwnProvider'), otel),
    costRatioRow(
      `${label}: prom-client, the same three recordings by hand, above the bare call`,
      above('promClient'),
      HAND_WRITTEN_OTEL,
      otel,
      "x hand-written OpenTelemetry's cost",
    ),
    costRatioRow(
      `${label}: ours, startAnalytics, sqlite backend, the whole call`,
      summarize(ns('oursSqlite')),
      'the bare call with its two clock reads',
      summarize(ns('bare')),
      'x the bare call',
    ),
  ];
}

function costRow(name: string, subject: Timing, baseline: Timing): BenchRow {
  return costRatioRow(name, subject, HAND_WRITTEN_OTEL, baseline, "x hand-written OpenTelemetry's cost", 1);
}

const NOTES = [
  'Each batch makes its calls one after another, taking the skill ids in turn, inside one `withContext` (a user of an org); ' +
    'the variants take turns batch by batch, and each cost "above the bare call" is the difference of two batches of the same round, ' +
    'so a slow moment of the machine hits both. The bare call is the call with the two `performance.now()` reads any instrumentation needs.',
  'The baseline of every target is hand-written OpenTelemetry: on a MeterProvider with a reader attached (the stock Prometheus exporter, ' +
    'not serving), a call adds 1 to the executions Counter and to the successes Counter (or to the failures Counter with `error_type`, named ' +
    'by the same classifier as ours) with `skill_id`, and records the latency in a Histogram with our buckets with `skill_id` and `outcome`; ' +
    'every attribute object is made once per skill (and error type) and reused. prom-client makes the same three recordings with label ' +
    'objects made once, and is reported beside it.',
  'Ours makes one of those recordings through the SDK, the latency Histogram; its counters are observable instruments read at collection ' +
    "from the recorder's own totals, which a call adds to as plain numbers. A call also counts in its skill's live health window and, " +
    "with a sqlite reader, in the interval's exact per-user record (the SQLite reader's side channel), which reads the identity of the " +
    '`withContext`. The rows "ours, startAnalytics" use `startAnalytics()`; the row "the application\'s own MeterProvider" builds ' +
    '`new MeterProvider({ readers: createMetricReaders(loadConfig(env)) })` with the sqlite backend and records through ' +
    '`SkillMetrics.fromMeterProvider(provider)`. The sqlite readers export once an hour, so no export runs while calls are measured.',
  `Every MeterProvider here, ours and the hand-written one, has the same View raising the SDK's aggregation cardinality limit to ${CARDINALITY.toLocaleString('en')}, ` +
    'and our own limits are raised as much, so no library folds skill ids into an overflow series.',
  "The baselines are the recordings alone, in the caller's own loop. Ours is a wrapper that keeps the function's contract: an async call " +
    'returns a new promise that settles as the original did, and a failure settles it by adopting the original rejected promise (no second ' +
    'throw), which takes more microtask turns than a success.',
];
