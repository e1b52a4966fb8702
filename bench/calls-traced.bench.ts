// Scenario: the cost of a wrapped async call with tracing on (an execute_tool span on a real TracerProvider) against
// hand-written OpenTelemetry making one span and the same metric recordings; and with no TracerProvider registered,
// against the path that makes no span at all (spans disabled): what the check for a provider costs.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { withContext } from '../src/instruments/identity.js';
import { EXECUTIONS, GEN_AI, LATENCY, LATENCY_BOUNDARIES_MS, SUCCESSES } from '../src/instruments/names.js';
import { SkillMetrics } from '../src/instruments/SkillMetrics.js';
import { interleave, pairwiseDifference, perCallNs } from './lib/interleave.js';
import { summarize } from './lib/measure.js';
import { costRatioRow, quickMode, type ScenarioResult } from './lib/scenario.js';

const quick = quickMode();
const SKILLS = 100;
const batch = quick ? 1_000 : 10_000;
const runs = quick ? { warmup: 1, runs: 3 } : { warmup: 5, runs: 21 };

let sink = 0;
const tool = async (): Promise<number> => 1;

/** Spans end in a BatchSpanProcessor, as in production, whose exporter drops them: no I/O is measured. */
const dropping: SpanExporter = {
  export: (_spans: ReadableSpan[], done) => done({ code: 0 }),
  shutdown: async () => undefined,
};
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new TracerProvider({
  spanProcessors: [
    new BatchSpanProcessor({ exporter: dropping, maxQueueSize: 16_384, maxExportBatchSize: 1_024, scheduledDelayMillis: 20 }),
  ],
});

function meterProvider(): MeterProvider {
  return new MeterProvider({ readers: [new PrometheusExporter({ preventServerStart: true })] });
}

const ids = Array.from({ length: SKILLS }, (_, index) => `skill_${String(index).padStart(3, '0')}`);
const tracedProvider = meterProvider();
const traced = SkillMetrics.fromMeterProvider(tracedProvider, { tracerProvider });
const untracedProvider = meterProvider();
const untraced = SkillMetrics.fromMeterProvider(untracedProvider);
const spanlessProvider = meterProvider();
const spanless = SkillMetrics.fromMeterProvider(spanlessProvider, { spans: { enabled: false } });
const oursTraced = ids.map((id) => traced.wrap(id, tool));
const oursNoProvider = ids.map((id) => untraced.wrap(id, tool));
const oursSpansOff = ids.map((id) => spanless.wrap(id, tool));

/**
 * Hand-written OpenTelemetry: the span the conventions describe, made active around the call with
 * startActiveSpan (so the tool's own spans nest), and the same three recordings as the per-call
 * bench's baseline, every attribute object made once per skill.
 */
const handProvider = meterProvider();
const meter = handProvider.getMeter('hand-written');
const executions = meter.createCounter(EXECUTIONS.name, { unit: EXECUTIONS.unit });
const successes = meter.createCounter(SUCCESSES.name, { unit: SUCCESSES.unit });
const latency = meter.createHistogram(LATENCY.name, {
  unit: LATENCY.unit,
  advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] },
});
const tracer = tracerProvider.getTracer('hand-written');
const spanAttributes = ids.map((id) => ({
  [GEN_AI.operationName]: GEN_AI.executeTool,
  [GEN_AI.toolName]: id,
  [GEN_AI.toolType]: 'function',
}));
const spanNames = ids.map((id) => `execute_tool ${id}`);
const skillLabels = ids.map((id) => ({ skill_id: id }));
const successLabels = ids.map((id) => ({ skill_id: id, outcome: 'success' }));

async function handTraced(skill: number): Promise<number> {
  return tracer.startActiveSpan(spanNames[skill]!, { kind: SpanKind.INTERNAL, attributes: spanAttributes[skill] }, async (span) => {
    const started = performance.now();
    const value = await tool();
    const ms = performance.now() - started;
    executions.add(1, skillLabels[skill]);
    successes.add(1, skillLabels[skill]);
    latency.record(ms, successLabels[skill]);
    span.end();
    return value;
  });
}

const loops = {
  async bare() {
    for (let i = 0; i < batch; i++) {
      const started = performance.now();
      sink += await tool();
      sink += performance.now() - started;
    }
  },
  // Each traced batch ends by handing its spans to the exporter, so no batch pays for another's spans.
  async handTraced() {
    for (let i = 0; i < batch; i++) sink += await handTraced(i % SKILLS);
    await tracerProvider.forceFlush();
  },
  async oursTraced() {
    for (let i = 0; i < batch; i++) sink += await oursTraced[i % SKILLS]!();
    await tracerProvider.forceFlush();
  },
  async oursNoProvider() {
    for (let i = 0; i < batch; i++) sink += await oursNoProvider[i % SKILLS]!();
  },
  async oursSpansOff() {
    for (let i = 0; i < batch; i++) sink += await oursSpansOff[i % SKILLS]!();
  },
};

// An agent serving a request: one user of one org, inside the agent's own span.
const batches = await tracer.startActiveSpan('invoke_agent bench', (agent) =>
  withContext({ userId: 'user_42', orgId: 'acme', agentName: 'planner' }, async () => {
    const measured = await interleave<keyof typeof loops>(loops, runs);
    agent.end();
    return measured;
  }),
);
await Promise.all([tracedProvider, untracedProvider, spanlessProvider, handProvider].map((provider) => provider.shutdown()));
await tracerProvider.shutdown();
trace.disable();

const ns = (name: keyof typeof loops) => perCallNs(batches[name], batch);
const above = (name: keyof typeof loops) => summarize(pairwiseDifference(ns(name), ns('bare')));
const HAND = 'hand-written OpenTelemetry: startActiveSpan, two counters and the latency histogram';

const result: ScenarioResult = {
  scenario: 'Per wrapped call with tracing: async success, 100 skill ids',
  unit: 'ns per call',
  setup: { 'calls per batch': batch, batches: runs.runs, 'warm-up batches': runs.warmup, sink: Math.sign(sink) },
  rows: [
    costRatioRow(
      'tracing on: ours (span + recordings), above the bare call',
      above('oursTraced'),
      HAND,
      above('handTraced'),
      "x hand-written OpenTelemetry's cost",
      1,
    ),
    costRatioRow(
      'no TracerProvider registered: ours, above the bare call',
      above('oursNoProvider'),
      'ours with spans disabled (no check at all), above the bare call',
      above('oursSpansOff'),
      'x the cost without spans',
      1.1,
    ),
  ],
  notes: [
    'Tracing on: a real TracerProvider of @opentelemetry/sdk-trace with a BatchSpanProcessor whose exporter drops the spans, and the ' +
      'AsyncLocalStorage context manager; every call runs inside an agent span and a withContext (user, org, agent). Ours makes the ' +
      'execute_tool span with its GenAI attributes (operation, tool name and type, agent), runs the call inside it, and records the ' +
      'call; the baseline does the same by hand with startActiveSpan and the three recordings of the per-call bench. Each traced batch ' +
      'ends with `forceFlush()`, so its spans are exported within its own time and never during the next batch.',
    "No TracerProvider: the global one is the API's no-op proxy; ours checks it on every call and makes no span. The baseline is " +
      'the same SkillMetrics with `spans: { enabled: false }`, which makes no check.',
  ],
};
console.log(JSON.stringify(result));
