import { withContext } from '../../src/instruments/identity.js';
import { callFixtures } from './callFixtures.js';
import { CALL_KINDS, sinkValue, type CallKind, type CallLoops } from './callLoops.js';
import { interleave, pairwiseDifference, perCallNs } from './interleave.js';
import { summarize, type Timing } from './measure.js';
import { quickMode, type BenchRow, type ScenarioResult } from './scenario.js';

const SKILL_COUNTS = [10, 1_000, 10_000];
/** Every call is made for one user of one org, as an agent serving a request does (the default backend keeps per-user rows). */
const USER = { userId: 'user_42', orgId: 'acme' };

/**
 * The cost of one wrapped call above the bare call, for `kind`, with 10, 1,000 and 10,000 skill ids
 * taken in turn: ours with the default sqlite backend and with the prometheus backend, against
 * prom-client and hand-written OpenTelemetry doing the same three recordings with the same labels.
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
    setup: { 'calls per batch': batch, batches: runs.runs, 'warm-up batches': runs.warmup, 'skill ids': SKILL_COUNTS.join(', '), sink: Math.sign(sinkValue()) },
    rows,
    notes: NOTES,
  };
}

function kindRows(label: string, batches: Record<keyof CallLoops, number[]>, batch: number): BenchRow[] {
  const ns = (name: keyof CallLoops) => perCallNs(batches[name], batch);
  const above = (name: keyof CallLoops) => summarize(pairwiseDifference(ns(name), ns('bare')));
  const promClient = above('promClient');
  return [
    costRow(`${label}: ours, sqlite backend (default), above the bare call`, above('oursSqlite'), "prom-client's three recordings", promClient),
    costRow(`${label}: ours, prometheus or otlp backend, above the bare call`, above('oursPrometheus'), "prom-client's three recordings", promClient),
    reportRow(`${label}: ours, sqlite backend, above the bare call`, above('oursSqlite'), 'hand-written OpenTelemetry recordings', above('otel'), "x hand-written OpenTelemetry's cost"),
    reportRow(`${label}: ours, sqlite backend, the whole call`, summarize(ns('oursSqlite')), 'the bare call with its two clock reads', summarize(ns('bare')), 'x the bare call'),
  ];
}

function costRow(name: string, subject: Timing, baselineName: string, baseline: Timing): BenchRow {
  const ratio = subject.medianMs / baseline.medianMs;
  return { name, subject, baselineName, baseline, ratio, ratioMeaning: "x prom-client's cost", target: '<= 1', met: ratio <= 1 };
}

function reportRow(name: string, subject: Timing, baselineName: string, baseline: Timing, ratioMeaning: string): BenchRow {
  return { name, subject, baselineName, baseline, ratio: subject.medianMs / baseline.medianMs, ratioMeaning, target: 'reported', met: undefined };
}

const NOTES = [
  'Each batch makes its calls one after another, taking the skill ids in turn, inside one `withContext` (a user of an org); ' +
    'the variants take turns batch by batch, and each cost "above the bare call" is the difference of two batches of the same round, ' +
    'so a slow moment of the machine hits both. The bare call is the call with the two `performance.now()` reads any instrumentation needs.',
  'prom-client and hand-written OpenTelemetry record what ours records: executions and successes (or failures by error_type, named by the ' +
    'same classifier) with `skill_id`, and the latency with `skill_id` and `outcome` in a histogram with our buckets; label objects are made ' +
    'once per skill. Ours also keeps the live health window, and with the sqlite backend the per-user totals of the interval.',
  'The baselines are the recordings alone, in the caller\'s own loop. Ours is a wrapper that keeps the function\'s contract: an async call ' +
    'returns a new promise that settles as the original did, so a failure is re-raised once more (a second rejection), which costs about as much ' +
    'as the recordings themselves; that is most of what the async failure rows add over the async success rows.',
];
