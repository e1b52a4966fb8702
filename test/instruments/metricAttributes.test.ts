import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import type { MetricData } from '@opentelemetry/sdk-metrics';
import { SkillMetrics, type SkillMetricsOptions } from '../../src/instruments/SkillMetrics.js';
import { createServer } from 'node:net';
import { startAnalytics } from '../../src/start/startAnalytics.js';
import { collectByName, testProvider } from '../helpers/collect.js';
import { freePort } from '../helpers/freePort.js';

const EXECUTIONS = 'toolweaver_skill_executions_total';
const SEMCONV = 'gen_ai.execute_tool.duration';

function setup(options: SkillMetricsOptions) {
  const { provider, reader } = testProvider();
  return { skills: SkillMetrics.fromMeterProvider(provider, options), reader };
}

/** Each point of `name` as [attributes, value or count]. */
function shown(metrics: Map<string, MetricData>, name: string): [Attributes, number][] {
  const metric = metrics.get(name);
  assert.ok(metric, `${name} not collected`);
  return metric.dataPoints.map((point) => [
    point.attributes,
    typeof point.value === 'number' ? point.value : (point.value as { count: number }).count,
  ]);
}

describe('custom attributes on metrics through metricAttributes', () => {
  it('keeps custom attributes off metrics unless allow-listed', async () => {
    const { skills, reader } = setup({ semconv: 'gen_ai_latest_experimental' });
    skills.withContext({ attributes: { 'app.tier': 'pro' } }, () => skills.wrap('a', () => 1, { attributes: { region: 'eu' } })());
    const metrics = await collectByName(reader);
    assert.deepEqual(shown(metrics, EXECUTIONS), [[{ skill_id: 'a' }, 1]]);
    assert.deepEqual(shown(metrics, SEMCONV), [[{ 'gen_ai.tool.name': 'a', 'gen_ai.tool.type': 'function' }, 1]]);
  });

  it("labels our series and the semconv metric's with the allow-listed keys, the context's over the wrap's", async () => {
    const { skills, reader } = setup({ semconv: 'gen_ai_latest_experimental', metricAttributes: ['app.tier', 'region'] });
    const tool = skills.wrap('a', () => 1, { attributes: { region: 'eu', 'app.build': '1.2.3' } });
    tool();
    skills.withContext({ attributes: { 'app.tier': 'pro', secret: 'x' } }, () => {
      tool();
      tool();
    });
    skills.withContext({ attributes: { region: 'us', 'app.tier': 1 } }, () => tool());
    skills.withContext({ attributes: { region: 'us', 'app.tier': '1' } }, () => tool());
    const metrics = await collectByName(reader);
    assert.deepEqual(shown(metrics, EXECUTIONS), [
      [{ skill_id: 'a' }, 0],
      [{ skill_id: 'a', region: 'eu' }, 1],
      [{ skill_id: 'a', 'app.tier': 'pro', region: 'eu' }, 2],
      [{ skill_id: 'a', 'app.tier': 1, region: 'us' }, 1],
      [{ skill_id: 'a', 'app.tier': '1', region: 'us' }, 1],
    ]);
    const tool_ = { 'gen_ai.tool.name': 'a', 'gen_ai.tool.type': 'function' };
    assert.deepEqual(shown(metrics, SEMCONV), [
      [{ ...tool_, region: 'eu' }, 1],
      [{ ...tool_, 'app.tier': 'pro', region: 'eu' }, 2],
      [{ ...tool_, 'app.tier': 1, region: 'us' }, 1],
      [{ ...tool_, 'app.tier': '1', region: 'us' }, 1],
    ]);
  });

  it('folds series past the cardinality limit into the overflow series, whatever the values', async () => {
    const { skills, reader } = setup({ semconv: 'gen_ai_latest_experimental', metricAttributes: ['request'], cardinalityLimit: 4 });
    const tool = skills.wrap('a', () => 1);
    for (let i = 0; i < 10; i++) skills.withContext({ attributes: { request: `r${i}` } }, () => tool());
    const metrics = await collectByName(reader);
    const executions = shown(metrics, EXECUTIONS);
    // One place is the skill's own series, one the overflow series'.
    assert.deepEqual(executions, [
      [{ skill_id: 'a' }, 0],
      [{ skill_id: 'a', request: 'r0' }, 1],
      [{ skill_id: 'a', request: 'r1' }, 1],
      [{ 'otel.metric.overflow': true }, 8],
    ]);
    assert.equal(
      executions.reduce((total, [, value]) => total + value, 0),
      10,
    );
    assert.deepEqual(shown(metrics, SEMCONV).at(-1), [{ 'otel.metric.overflow': true }, 8]);
  });

  it('refuses a key that would take one of our labels, naming it and the label', () => {
    for (const [key, label] of [
      ['skill.id', 'skill_id'],
      ['outcome', 'outcome'],
      ['user.id', 'user_id'],
      ['gen_ai.conversation.id', 'gen_ai_conversation_id'],
      ['gen_ai.tool.name', 'gen_ai_tool_name'],
      ['le', 'le'],
    ]) {
      assert.throws(
        () => setup({ metricAttributes: [key as string] }),
        new RegExp(
          `^TypeError: metricAttributes: "${key!.replace(/\./g, '\\.')}" would be the label ${label}, which toolweaver-analytics or Prometheus sets itself; give the custom attribute another key$`,
        ),
      );
    }
    assert.throws(
      () => setup({ metricAttributes: ['__name__'] }),
      /^TypeError: metricAttributes: "__name__" starts with __, which Prometheus reserves/,
    );
    assert.throws(
      () => setup({ metricAttributes: 'app.tier' as never }),
      /^TypeError: metricAttributes must be an array of custom attribute keys/,
    );
    assert.throws(() => setup({ metricAttributes: [''] }), /^TypeError: metricAttributes must be an array of custom attribute keys/);
  });

  it('refuses such a key from ANALYTICS_METRIC_ATTRIBUTES before startAnalytics starts any backend', async () => {
    const port = await freePort();
    assert.throws(
      () =>
        startAnalytics({
          env: { ANALYTICS_METRIC_ATTRIBUTES: 'app.tier,agent.name' },
          backends: ['prometheus'],
          prometheus: { port },
          flushOnExit: false,
          logLevel: 'none',
        }),
      /^TypeError: ANALYTICS_METRIC_ATTRIBUTES \(option metricAttributes\): "agent\.name" would be the label agent_name/,
    );
    // Nothing was left listening: the port is still free.
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
