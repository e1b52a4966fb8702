// Scenario: what the opt-in gen_ai.execute_tool.duration costs a wrapped sync call: ours with
// OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental against ours without it, and against
// hand-written OpenTelemetry making the same four recordings, with 10 and 1,000 skill ids.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import { withContext } from '../src/instruments/identity.js';
import {
  ATTR,
  EXECUTE_TOOL_BOUNDARIES_S,
  EXECUTE_TOOL_DURATION,
  EXECUTIONS,
  GEN_AI,
  LATENCY,
  LATENCY_BOUNDARIES_MS,
  OUTCOME,
  SUCCESSES,
} from '../src/instruments/names.js';
import { startAnalytics } from '../src/start/startAnalytics.js';
import { interleave, pairwiseDifference, perCallNs } from './lib/interleave.js';
import { summarize } from './lib/measure.js';
import { costRatioRow, quickMode, type BenchRow } from './lib/scenario.js';

const SKILL_COUNTS = [10, 1_000];
const CARDINALITY = 20_001;
const ROOM: ViewOptions[] = [{ instrumentName: '*', aggregationCardinalityLimit: CARDINALITY }];
/** Calls are made by one agent, so every recording carries the agent as the spec's metric wants it. */
const AGENT = { agentName: 'planner' };
const OPT_IN = { OTEL_SEMCONV_STABILITY_OPT_IN: 'gen_ai_latest_experimental' };

let sink = 0;
const skill = (): number => 1;

/** The four recordings of a successful call, by hand, each attribute object made once per skill. */
function handWritten(ids: readonly string[]) {
  const provider = new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })], views: ROOM });
  const meter = provider.getMeter('hand-written');
  const executions = meter.createCounter(EXECUTIONS.name, { unit: EXECUTIONS.unit });
  const successes = meter.createCounter(SUCCESSES.name, { unit: SUCCESSES.unit });
  const latency = meter.createHistogram(LATENCY.name, {
    unit: LATENCY.unit,
    advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] },
  });
  const duration = meter.createHistogram(EXECUTE_TOOL_DURATION.name, {
    unit: EXECUTE_TOOL_DURATION.unit,
    advice: { explicitBucketBoundaries: [...EXECUTE_TOOL_BOUNDARIES_S] },
  });
  const series: Attributes[] = ids.map((id) => ({ [ATTR.skillId]: id, [ATTR.agentName]: AGENT.agentName }));
  const outcome: Attributes[] = series.map((attributes) => ({ ...attributes, [ATTR.outcome]: OUTCOME.success }));
  const semconv: Attributes[] = ids.map((id) => ({
    [GEN_AI.toolName]: id,
    [GEN_AI.toolType]: 'function',
    [GEN_AI.agentName]: AGENT.agentName,
  }));
  const record = (index: number, latencyMs: number): void => {
    executions.add(1, series[index]);
    successes.add(1, series[index]);
    latency.record(latencyMs, outcome[index]);
    duration.record(latencyMs / 1000, semconv[index]);
  };
  return { record, provider };
}

function rows(skillCount: number, batch: number, runs: { warmup: number; runs: number }) {
  const ids = Array.from({ length: skillCount }, (_, index) => `skill_${String(index).padStart(5, '0')}`);
  const common = { flushOnExit: false, logLevel: 'none', cardinalityLimit: CARDINALITY, views: ROOM, backends: ['prometheus'] } as const;
  const plain = startAnalytics({ ...common, env: {}, prometheusServer: false });
  const optedIn = startAnalytics({ ...common, env: OPT_IN, prometheusServer: false });
  const plainCalls = ids.map((id) => plain.wrap(id, skill));
  const optedInCalls = ids.map((id) => optedIn.wrap(id, skill));
  const hand = handWritten(ids);
  const loops = {
    bare() {
      for (let i = 0; i < batch; i++) {
        const started = performance.now();
        sink += skill();
        sink += performance.now() - started;
      }
    },
    plain() {
      for (let i = 0; i < batch; i++) sink += plainCalls[i % skillCount]!();
    },
    optedIn() {
      for (let i = 0; i < batch; i++) sink += optedInCalls[i % skillCount]!();
    },
    hand() {
      for (let i = 0; i < batch; i++) {
        const started = performance.now();
        sink += skill();
        hand.record(i % skillCount, performance.now() - started);
      }
    },
  };
  return {
    measure: () => withContext(AGENT, () => interleave<keyof typeof loops>(loops, runs)),
    close: () => Promise.all([plain.shutdown(), optedIn.shutdown(), hand.provider.shutdown()]),
  };
}

const quick = quickMode();
const batch = quick ? 2_000 : 20_000;
const runs = quick ? { warmup: 1, runs: 3 } : { warmup: 5, runs: 21 };
const results: BenchRow[] = [];
for (const skillCount of SKILL_COUNTS) {
  const fixture = rows(skillCount, batch, runs);
  const batches = await fixture.measure();
  await fixture.close();
  const above = (name: keyof typeof batches) =>
    summarize(pairwiseDifference(perCallNs(batches[name], batch), perCallNs(batches.bare, batch)));
  const label = `sync, ${skillCount.toLocaleString('en')} skill ids`;
  const plain = above('plain');
  const optedIn = above('optedIn');
  results.push(
    costRatioRow(
      `${label}: ours with the opt-in, above the bare call`,
      optedIn,
      'ours without the opt-in',
      plain,
      'x the cost without the opt-in',
      undefined,
    ),
    costRatioRow(
      `${label}: ours with the opt-in, above the bare call`,
      optedIn,
      'hand-written OpenTelemetry: two counters, the latency histogram and gen_ai.execute_tool.duration',
      above('hand'),
      "x hand-written OpenTelemetry's cost",
      1,
    ),
  );
}
console.log(
  JSON.stringify({
    scenario: 'Per wrapped call: the semconv metric opt-in',
    unit: 'ns per call',
    setup: {
      'calls per batch': batch,
      batches: runs.runs,
      'warm-up batches': runs.warmup,
      'skill ids': SKILL_COUNTS.join(', '),
      sink: Math.sign(sink),
    },
    rows: results,
    notes: [
      'Ours is startAnalytics with the prometheus backend (not serving), with and without OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental; ' +
        'every call is made inside withContext({ agentName }), so the series and the semconv attributes carry the agent. ' +
        'With the opt-in a call records one more Histogram (seconds, the attributes of the spec made once per series, tool type and outcome).',
      'The hand-written baseline adds 1 to two Counters and records two Histograms (our latency in ms, gen_ai.execute_tool.duration in s), ' +
        'each attribute object made once per skill; every MeterProvider has the same View raising the cardinality limit.',
    ],
  }),
);
