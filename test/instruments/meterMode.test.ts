import assert from 'node:assert/strict';
import { metrics } from '@opentelemetry/api';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { skill } from '../../src/instruments/skillDecorator.js';
import { collectByName, histogramOf, testProvider, pointValue } from '../helpers/collect.js';

const EXEC = 'toolweaver_skill_executions_total';
const OK = 'toolweaver_skill_success_total';
const FAIL = 'toolweaver_skill_failures_total';
const LAT = 'toolweaver_skill_latency_milliseconds';
const RATING = 'toolweaver_skill_rating';

describe('SkillMetrics over an application Meter', () => {
  it('reports the same metrics through the Meter the application owns', async () => {
    const { provider, reader } = testProvider();
    const skills = SkillMetrics.fromMeterProvider(provider);
    skills.wrap('web_search', () => 'ok')();
    await assert.rejects(skills.wrap('web_search', async () => Promise.reject(Object.assign(new Error('t'), { code: 'ETIMEDOUT' })))());
    skills.rate('web_search', 5);
    const collected = await collectByName(reader);
    assert.equal(pointValue(collected, EXEC, { skill_id: 'web_search' }), 2);
    assert.equal(pointValue(collected, OK, { skill_id: 'web_search' }), 1);
    assert.equal(pointValue(collected, FAIL, { skill_id: 'web_search', error_type: 'timeout' }), 1);
    assert.equal(histogramOf(collected, LAT, { skill_id: 'web_search', outcome: 'success' })?.count, 1);
    assert.deepEqual(
      histogramOf(collected, LAT, { skill_id: 'web_search', outcome: 'failure' })?.buckets.boundaries,
      [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000],
    );
    assert.equal(histogramOf(collected, RATING, { skill_id: 'web_search' })?.sum, 5);
    const { resourceMetrics } = await reader.collect();
    assert.deepEqual(
      resourceMetrics.scopeMetrics.map((scope) => scope.scope.name),
      ['toolweaver-analytics'],
      'one Meter for all our instruments',
    );
  });

  it('shares totals between two SkillMetrics over one Meter', async () => {
    const { provider, reader } = testProvider();
    const meter = provider.getMeter('toolweaver-analytics');
    new SkillMetrics(meter).wrap('x', () => 1)();
    new SkillMetrics(meter).wrap('x', () => 1)();
    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'x' }), 2);
  });
});

describe('@skill', () => {
  afterEach(() => metrics.disable());

  it('records decorated methods into the global MeterProvider, keeping this, sync results and errors', async () => {
    const { provider, reader } = testProvider();
    class Tools {
      readonly base = 10;

      @skill('add')
      add(value: number): number {
        return this.base + value;
      }

      @skill('lookup')
      async lookup(key: string): Promise<string> {
        if (key === 'missing') throw Object.assign(new Error('not found'), { status: 404 });
        return `value of ${key}`;
      }
    }
    // Registered after the class is defined: the decorator resolves the provider at call time.
    metrics.setGlobalMeterProvider(provider);
    const tools = new Tools();
    assert.equal(tools.add(5), 15);
    assert.deepEqual([tools.add.name, tools.add.length], ['add', 1], 'the method keeps its name and length');
    assert.equal(await tools.lookup('a'), 'value of a');
    await assert.rejects(tools.lookup('missing'), /not found/);
    const collected = await collectByName(reader);
    assert.equal(pointValue(collected, EXEC, { skill_id: 'add' }), 1);
    assert.equal(pointValue(collected, EXEC, { skill_id: 'lookup' }), 2);
    assert.equal(pointValue(collected, FAIL, { skill_id: 'lookup', error_type: 'validation' }), 1);
  });

  it('rejects an invalid skill id when the class is defined', () => {
    assert.throws(() => skill(''), TypeError);
  });

  it('says what to do when put on a field', () => {
    assert.throws(
      () => {
        class Fields {
          // @ts-expect-error -- a field has no method to wrap: TypeScript rejects it too
          @skill('field')
          run = (): number => 1;
        }
        return Fields;
      },
      (error: unknown) =>
        error instanceof TypeError &&
        /^@skill\('field'\) decorates methods, not the field run: make it a method declaration \(run\(…\)/.test(error.message),
    );
  });
});
