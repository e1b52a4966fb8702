import assert from 'node:assert/strict';
import { AggregationType, MeterProvider, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { Attributes } from '@opentelemetry/api';
import { SkillMetrics, type SkillMetricsOptions } from '../../src/instruments/SkillMetrics.js';
import { EXECUTE_TOOL_DURATION, LATENCY } from '../../src/instruments/names.js';
import { collectByName, histogramOf, pointValue, TestReader } from '../helpers/collect.js';

const SPEC_BOUNDARIES = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const NAME = 'gen_ai.execute_tool.duration';

/** A SkillMetrics over a fresh provider, on a clock whose monotonic reading the tools advance. */
function setup(options: SkillMetricsOptions = {}, views: ConstructorParameters<typeof MeterProvider>[0] = {}) {
  const reader = new TestReader();
  const provider = new MeterProvider({ ...views, readers: [reader] });
  const time = { monotonic: 0 };
  const clock = { now: () => Date.UTC(2026, 0, 1), monotonic: () => time.monotonic };
  const skills = SkillMetrics.fromMeterProvider(provider, { clock, ...options });
  /** A tool that takes `ms` and fails with `error` when given one. */
  const taking = (ms: number, error?: Error) => () => {
    time.monotonic += ms;
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { skills, reader, taking };
}

function points(metrics: Map<string, MetricData>, name = NAME): { attributes: Attributes; value: Histogram }[] {
  const metric = metrics.get(name);
  assert.ok(metric, `${name} was not collected; got ${[...metrics.keys()].join(', ')}`);
  return metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value as Histogram }));
}

const timeout = () => Object.assign(new Error('timed out'), { name: 'TimeoutError' });

describe('the semconv metric gen_ai.execute_tool.duration', () => {
  it('is absent without the opt-in: our seed names alone', async () => {
    const { skills, reader, taking } = setup();
    skills.wrap('web_search', taking(120))();
    const metrics = await collectByName(reader);
    assert.ok(metrics.has(LATENCY.name));
    assert.ok(!metrics.has(NAME));
  });

  it('ignores tokens of other instrumentations, in a string or a list', async () => {
    for (const semconv of ['http,database/dup', ['http', 'gen_ai_latest'], ''] as const) {
      const { skills, reader, taking } = setup({ semconv });
      skills.wrap('web_search', taking(120))();
      assert.ok(!(await collectByName(reader)).has(NAME), JSON.stringify(semconv));
    }
    const { skills, reader, taking } = setup({ semconv: ['http', ' GEN_AI_LATEST_EXPERIMENTAL '] });
    skills.wrap('web_search', taking(120))();
    assert.ok((await collectByName(reader)).has(NAME));
  });

  it('refuses a semconv option that is neither a string nor a list of strings', () => {
    assert.throws(
      () => setup({ semconv: 1 as never }),
      /^TypeError: semconv must be a string such as 'gen_ai_latest_experimental' \(the text of OTEL_SEMCONV_STABILITY_OPT_IN\) or an array of its tokens, got 1$/,
    );
  });

  it("joins our metrics in seconds, in the spec's buckets, one point per tool, type, agent and error type", async () => {
    const { skills, reader, taking } = setup({ semconv: 'gen_ai_latest_experimental' });
    const search = skills.wrap('web_search', taking(120));
    const mcp = skills.wrap('fs_read', taking(3), { toolType: 'extension', agentName: 'reader' });
    const slow = skills.wrap('web_search', taking(30_000, timeout()));
    for (let i = 0; i < 3; i++) search();
    skills.withContext({ agentName: 'planner', userId: 'u1', conversationId: 'c1' }, () => search());
    mcp();
    assert.throws(slow);
    assert.throws(slow);

    const metrics = await collectByName(reader);
    const metric = metrics.get(NAME);
    assert.ok(metric);
    assert.deepEqual(
      [metric.descriptor.name, metric.descriptor.unit, metric.descriptor.description],
      [EXECUTE_TOOL_DURATION.name, 's', 'The duration of a single tool execution.'],
    );
    const shown = points(metrics).map(({ attributes, value }) => [attributes, value.count, value.sum]);
    assert.deepEqual(shown, [
      [{ 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.type': 'function' }, 3, 0.36],
      [{ 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.type': 'function', 'gen_ai.agent.name': 'planner' }, 1, 0.12],
      [{ 'gen_ai.tool.name': 'fs_read', 'gen_ai.tool.type': 'extension', 'gen_ai.agent.name': 'reader' }, 1, 0.003],
      [{ 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.type': 'function', 'error.type': 'timeout' }, 2, 60],
    ]);
    const first = points(metrics)[0]!.value;
    assert.deepEqual(first.buckets.boundaries, SPEC_BOUNDARIES);
    // 120 ms = 0.12 s, in the bucket (0.08, 0.16].
    assert.deepEqual(first.buckets.counts, [0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    // The agent labels our own series too, user labels or not.
    assert.equal(pointValue(metrics, 'toolweaver_skill_executions_total', { skill_id: 'web_search', agent_name: 'planner' }), 1);
    // Every call is in both histograms: the same count, the same time in other units.
    const seed = metrics.get(LATENCY.name)!.dataPoints.map((point) => point.value as Histogram);
    assert.equal(
      seed.reduce((total, value) => total + value.count, 0),
      points(metrics).reduce((total, { value }) => total + value.count, 0),
    );
  });

  it('counts calls measured elsewhere, whose tool type it cannot know', async () => {
    const { skills, reader } = setup({ semconv: 'gen_ai_latest_experimental' });
    skills.recordCall('web_search', { latencyMs: 250 });
    skills.recordCall('web_search', { latencyMs: 50, errorType: 'upstream' });
    const shown = points(await collectByName(reader)).map(({ attributes, value }) => [attributes, value.count, value.sum]);
    assert.deepEqual(shown, [
      [{ 'gen_ai.tool.name': 'web_search' }, 1, 0.25],
      [{ 'gen_ai.tool.name': 'web_search', 'error.type': 'upstream' }, 1, 0.05],
    ]);
  });

  it('never carries the user, the org or the conversation, even with user labels on our names', async () => {
    const { skills, reader, taking } = setup({ semconv: 'gen_ai_latest_experimental', userLabels: true });
    skills.withContext({ userId: 'u1', orgId: 'acme', conversationId: 'c1' }, () => skills.wrap('a', taking(1))());
    const metrics = await collectByName(reader);
    assert.deepEqual(
      points(metrics).map(({ attributes }) => attributes),
      [{ 'gen_ai.tool.name': 'a', 'gen_ai.tool.type': 'function' }],
    );
    assert.equal(pointValue(metrics, 'toolweaver_skill_executions_total', { skill_id: 'a', user_id: 'u1', org_id: 'acme' }), 1);
  });

  it("is shaped by the application's Views like our own metrics", async () => {
    const { skills, reader, taking } = setup(
      { semconv: 'gen_ai_latest_experimental' },
      {
        views: [
          {
            instrumentName: NAME,
            name: 'tool_seconds',
            aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [0.1, 1] } },
          },
        ],
      },
    );
    skills.wrap('web_search', taking(120))();
    const metrics = await collectByName(reader);
    assert.ok(!metrics.has(NAME));
    assert.deepEqual(histogramOf(metrics, 'tool_seconds', { 'gen_ai.tool.name': 'web_search', 'gen_ai.tool.type': 'function' })?.buckets, {
      boundaries: [0.1, 1],
      counts: [0, 1, 0],
    });
  });
});
