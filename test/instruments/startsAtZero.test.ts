import assert from 'node:assert/strict';
import { metrics } from '@opentelemetry/api';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';
import { jsonSchema, tool } from 'ai';
import sinon from 'sinon';
import { log } from '../../src/core/log.js';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import { withContext } from '../../src/instruments/identity.js';
import {
  ATTR,
  EXECUTIONS,
  FAILURES,
  INSTALLS,
  LATENCY,
  LATENCY_BOUNDARIES_MS,
  RATING,
  RATING_BOUNDARIES,
  SUCCESSES,
} from '../../src/instruments/names.js';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { skill } from '../../src/instruments/skillDecorator.js';
import { instrumentTools } from '../../src/integrations/ai/instrumentTools.js';
import { startAnalytics, type Analytics, type StartOptions } from '../../src/start/startAnalytics.js';
import { collectByName, TestReader, testProvider, testSkills } from '../helpers/collect.js';
import { startOtlpReceiver, type FlatPoint } from '../helpers/otlpReceiver.js';
import { familyOf, lines, metricSamples, sampleKey, setHistogram, textSamples, zeroFamily, type Samples } from '../helpers/zeroFamily.js';

/** A clock whose monotonic reading the test moves: latencies are what it says. */
function steppedClock() {
  let monotonic = 0;
  return { clock: { now: () => Date.now(), monotonic: () => monotonic }, advance: (ms: number) => (monotonic += ms) };
}

const SEARCH = { [ATTR.skillId]: 'web_search' };

async function samplesOf(reader: Parameters<typeof collectByName>[0]): Promise<Samples> {
  return metricSamples(await collectByName(reader));
}

describe('every series of a registered skill starts at 0, over a MeterProvider of the application', () => {
  afterEach(() => {
    sinon.restore();
    metrics.disable();
  });

  it('emits the counters of a wrapped skill at 0 for every error type before its first call, and no histogram: the SDK makes none before a recording', async () => {
    const { skills, reader } = testSkills();
    skills.wrap('web_search', () => 'ok');
    assert.deepEqual(lines(familyOf(await samplesOf(reader), SEARCH)), lines(zeroFamily(SEARCH, { histograms: false })));
  });

  it('with zeroHistograms, also emits both latency outcomes and the rating as empty histograms, every bucket 0', async () => {
    const { skills, reader } = testSkills({ zeroHistograms: true });
    skills.wrap('web_search', () => 'ok');
    const samples = await samplesOf(reader);
    assert.deepEqual(lines(familyOf(samples, SEARCH)), lines(zeroFamily(SEARCH)));
    assert.ok(![...samples.values()].some(Number.isNaN), 'no NaN anywhere');
  });

  it('counts calls, ratings and installs on top of the zeros: failures{timeout} goes from 0 to 1, the other types stay 0', async () => {
    const { clock, advance } = steppedClock();
    const { skills, reader } = testSkills({ zeroHistograms: true, clock });
    const timeout = Object.assign(new Error('slow'), { code: 'ETIMEDOUT' });
    const search = skills.wrap('web_search', (fail: boolean) => {
      advance(fail ? 700 : 30);
      if (fail) throw timeout;
      return 'ok';
    });
    const before = familyOf(await samplesOf(reader), SEARCH);
    search(false);
    search(false);
    assert.throws(() => search(true));
    skills.rate('web_search', 4);
    skills.recordInstall('web_search');

    const expected = new Map(before);
    expected.set(sampleKey(EXECUTIONS.name, SEARCH), 3);
    expected.set(sampleKey(SUCCESSES.name, SEARCH), 2);
    expected.set(sampleKey(FAILURES.name, { ...SEARCH, [ATTR.errorType]: 'timeout' }), 1);
    expected.set(sampleKey(INSTALLS.name, SEARCH), 1);
    setHistogram(expected, LATENCY.name, { ...SEARCH, [ATTR.outcome]: 'success' }, [30, 30], LATENCY_BOUNDARIES_MS);
    setHistogram(expected, LATENCY.name, { ...SEARCH, [ATTR.outcome]: 'failure' }, [700], LATENCY_BOUNDARIES_MS);
    setHistogram(expected, RATING.name, SEARCH, [4], RATING_BOUNDARIES);
    assert.deepEqual(lines(before), lines(zeroFamily(SEARCH)));
    assert.deepEqual(lines(familyOf(await samplesOf(reader), SEARCH)), lines(expected));
  });

  it('registers the skill of startTimer when the timer starts: its series are 0 before end()', async () => {
    const { skills, reader } = testSkills({ zeroHistograms: true });
    const timer = skills.startTimer('web_search');
    assert.deepEqual(lines(familyOf(await samplesOf(reader), SEARCH)), lines(zeroFamily(SEARCH)));
    timer.end();
    const after = familyOf(await samplesOf(reader), SEARCH);
    assert.equal(after.get(sampleKey(EXECUTIONS.name, SEARCH)), 1);
    assert.equal(after.get(sampleKey(`${LATENCY.name}_count`, { ...SEARCH, [ATTR.outcome]: 'success' })), 1);
    assert.equal(after.get(sampleKey(`${LATENCY.name}_count`, { ...SEARCH, [ATTR.outcome]: 'failure' })), 0);
  });

  it('emits a @skill method given its SkillMetrics at 0 from the class definition, before any call', async () => {
    const { skills, reader } = testSkills({ zeroHistograms: true });
    class Tools {
      @skill('web_search', { metrics: skills })
      search(query: string): string {
        return query;
      }
    }
    assert.deepEqual(lines(familyOf(await samplesOf(reader), SEARCH)), lines(zeroFamily(SEARCH)));
    assert.equal(new Tools().search('q'), 'q');
    assert.equal((await samplesOf(reader)).get(sampleKey(EXECUTIONS.name, SEARCH)), 1);
  });

  it('defines a @skill class even when registering its skill fails, saying so once, and counts the calls', async () => {
    const { skills, reader } = testSkills();
    // As a SkillMetrics of another copy of the package, whose recorder cannot register, would.
    sinon.stub(skills.recorder, 'register').throws(new TypeError('recorder.register is not a function'));
    const once = sinon.stub(log, 'once');
    class Tools {
      @skill('web_search', { metrics: skills })
      search(): number {
        return 1;
      }
    }
    assert.equal(new Tools().search(), 1);
    assert.equal((await samplesOf(reader)).get(sampleKey(EXECUTIONS.name, SEARCH)), 1);
    assert.match(String(once.firstCall?.args[2]), /could not register skill "web_search" before its first call/);
  });

  it('emits a @skill method at 0 on the global MeterProvider registered when the class is defined', async () => {
    const { provider, reader } = testProvider();
    metrics.setGlobalMeterProvider(provider);
    class Tools {
      @skill('web_search')
      search(): number {
        return 1;
      }
    }
    assert.deepEqual(lines(familyOf(await samplesOf(reader), SEARCH)), lines(zeroFamily(SEARCH, { histograms: false })));
    new Tools().search();
    assert.equal((await samplesOf(reader)).get(sampleKey(EXECUTIONS.name, SEARCH)), 1);
  });

  it('emits the empty histograms of @skill methods over the global MeterProvider once fromGlobal({ zeroHistograms: true }) is made first', async () => {
    const { provider, reader } = testProvider();
    metrics.setGlobalMeterProvider(provider);
    SkillMetrics.fromGlobal({ zeroHistograms: true });
    class Tools {
      @skill('web_search')
      search(): number {
        return 1;
      }
    }
    assert.deepEqual(lines(familyOf(await samplesOf(reader), SEARCH)), lines(zeroFamily(SEARCH)));
    assert.equal(new Tools().search(), 1);
  });

  it('emits a @skill method decorated before the global MeterProvider was registered at 0 before its first call is counted', async () => {
    class Tools {
      @skill('late_search')
      search(): number {
        return 1;
      }
      @skill('late_lookup')
      lookup(): number {
        return 2;
      }
    }
    const { provider, reader } = testProvider();
    metrics.setGlobalMeterProvider(provider);
    new Tools().search();
    const samples = await samplesOf(reader);
    // The global provider's SkillMetrics is made at the first call: every decorated skill is registered in it then.
    assert.deepEqual(
      lines(familyOf(samples, { skill_id: 'late_lookup' })),
      lines(zeroFamily({ skill_id: 'late_lookup' }, { histograms: false })),
    );
    assert.equal(samples.get(sampleKey(EXECUTIONS.name, { skill_id: 'late_search' })), 1);
  });

  it("registers the series a wrap's calls land in outside withContext: its agent's, at 0 beside the base series", async () => {
    const { skills, reader } = testSkills({ zeroHistograms: true, metricAttributes: ['app.tier'] });
    skills.wrap('web_search', () => 1, { agentName: 'planner', attributes: { 'app.tier': 'pro' } });
    const samples = await samplesOf(reader);
    const own = { ...SEARCH, [ATTR.agentName]: 'planner', 'app.tier': 'pro' };
    assert.deepEqual(lines(familyOf(samples, own)), lines(zeroFamily(own)));
    assert.deepEqual(lines(familyOf(samples, SEARCH)), lines(zeroFamily(SEARCH)));
  });

  it("makes a new user's series with its first call, its other error types, the other outcome and the rating at 0 from then on", async () => {
    const { clock, advance } = steppedClock();
    const { skills, reader } = testSkills({ zeroHistograms: true, userLabels: true, clock });
    const search = skills.wrap('web_search', () => advance(12));
    withContext({ userId: 'u1', orgId: 'acme' }, () => search());
    const user = { ...SEARCH, [ATTR.userId]: 'u1', [ATTR.orgId]: 'acme' };
    const expected = zeroFamily(user);
    expected.set(sampleKey(EXECUTIONS.name, user), 1);
    expected.set(sampleKey(SUCCESSES.name, user), 1);
    setHistogram(expected, LATENCY.name, { ...user, [ATTR.outcome]: 'success' }, [12], LATENCY_BOUNDARIES_MS);
    assert.deepEqual(lines(familyOf(await samplesOf(reader), user)), lines(expected));
  });

  it('still drops a metric a DROP View drops: no zero failures, the other metrics at 0', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({
      readers: [reader],
      views: [{ instrumentName: FAILURES.name, aggregation: { type: AggregationType.DROP } }],
    });
    SkillMetrics.fromMeterProvider(provider, { zeroHistograms: true }).wrap('web_search', () => 1);
    const samples = await samplesOf(reader);
    assert.deepEqual(lines(familyOf(samples, SEARCH)), lines(zeroFamily(SEARCH, { dropped: [FAILURES.name] })));
    assert.ok(![...samples.keys()].some((key) => key.startsWith(FAILURES.name)));
  });

  it('shows the empty histograms under the name a renaming View gives, and none under ours', async () => {
    const reader = new TestReader();
    const provider = new MeterProvider({ readers: [reader], views: [{ instrumentName: LATENCY.name, name: 'tool_latency_ms' }] });
    SkillMetrics.fromMeterProvider(provider, { zeroHistograms: true }).wrap('web_search', () => 1);
    const samples = await samplesOf(reader);
    const names = [EXECUTIONS.name, SUCCESSES.name, FAILURES.name, INSTALLS.name, 'tool_latency_ms', RATING.name];
    assert.deepEqual(lines(familyOf(samples, SEARCH, names)), lines(zeroFamily(SEARCH, { latencyName: 'tool_latency_ms' })));
    assert.ok(![...samples.keys()].some((key) => key.startsWith(LATENCY.name)));
  });

  it('makes no more series than cardinalityLimit when more skills are registered: the rest share the one overflow series, at 0 too', async () => {
    sinon.stub(log, 'warn');
    const { skills, reader } = testSkills({ zeroHistograms: true, cardinalityLimit: 5 });
    const ids = Array.from({ length: 8 }, (_, index) => `skill_${index}`);
    for (const id of ids) skills.wrap(id, () => 1);
    const samples = await samplesOf(reader);
    // One place is the overflow series': 4 skills have their own.
    const own = ids.slice(0, 4).map((id) => ({ [ATTR.skillId]: id }));
    const overflow = { [ATTR.overflow]: 'true' };
    const expected = new Map([...own, overflow].flatMap((attributes) => [...zeroFamily(attributes)]));
    const ours = [...samples].filter(([key]) =>
      [EXECUTIONS, SUCCESSES, FAILURES, INSTALLS, LATENCY, RATING].some((m) => key.startsWith(m.name)),
    );
    assert.deepEqual(lines(new Map(ours)), lines(expected));
    assert.equal(
      ours.filter(([key]) => key.startsWith(`${FAILURES.name}{`)).length,
      5 * ERROR_TYPES.length,
      'every error type of each of the 5 series',
    );
  });
});

describe('every series of a registered skill starts at 0, with startAnalytics', () => {
  let analytics: Analytics | undefined;
  afterEach(async () => {
    sinon.restore();
    await analytics?.shutdown();
    analytics = undefined;
  });

  /** startAnalytics serving /metrics on a loopback port of its own. */
  async function started(options: StartOptions = {}): Promise<Analytics> {
    analytics = startAnalytics({
      env: {},
      flushOnExit: false,
      logLevel: 'none',
      backends: ['prometheus'],
      prometheus: { port: 0 },
      ...options,
    });
    await analytics.ready;
    return analytics;
  }

  async function scrape(running: Analytics): Promise<Samples> {
    const response = await fetch((running.describeBackends()[0] as string).replace('prometheus: ', ''));
    assert.equal(response.status, 200);
    return textSamples(await response.text());
  }

  it('serves the whole family of a wrapped skill at 0 on /metrics before its first call, and no NaN', async () => {
    const running = await started();
    running.wrap('web_search', () => 1);
    const samples = await scrape(running);
    assert.deepEqual(lines(familyOf(samples, SEARCH)), lines(zeroFamily(SEARCH)));
    assert.ok(![...samples.values()].some(Number.isNaN), 'no NaN anywhere');
  });

  it('pushes the empty histograms through OTLP as count 0, sum 0, every bucket 0 and no min or max', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const running = await started({ backends: ['otlp'], otlp: { url: receiver.url, pushIntervalMs: 3_600_000 } });
      running.wrap('web_search', () => 1);
      await running.flush();
      const metrics = receiver.metrics();
      const points = (name: string) => metrics.find((metric) => metric.name === name)?.points ?? [];
      const empty = (bounds: readonly number[]) => ({
        count: 0,
        sum: 0,
        min: undefined,
        max: undefined,
        buckets: new Array(bounds.length + 1).fill(0),
      });
      const shape = (point: FlatPoint) => ({
        count: point.count,
        sum: point.sum,
        min: point.min,
        max: point.max,
        buckets: point.bucketCounts,
      });
      assert.deepEqual(
        points(LATENCY.name).map((point) => [point.attributes, shape(point)]),
        ['success', 'failure'].map((outcome) => [{ ...SEARCH, [ATTR.outcome]: outcome }, empty(LATENCY_BOUNDARIES_MS)]),
      );
      assert.deepEqual(
        points(RATING.name).map((point) => [point.attributes, shape(point)]),
        [[SEARCH, empty(RATING_BOUNDARIES)]],
      );
      assert.deepEqual(
        points(FAILURES.name).map((point) => [point.attributes, point.value]),
        ERROR_TYPES.map((type) => [{ ...SEARCH, [ATTR.errorType]: type }, 0]),
      );
    } finally {
      await analytics?.shutdown();
      analytics = undefined;
      await receiver.close();
    }
  });

  it('serves @skill methods decorated before it started at 0 as soon as it runs, and those decorated while it runs at once', async () => {
    class Early {
      @skill('early_search')
      search(): number {
        return 1;
      }
    }
    const running = await started();
    class Late {
      @skill('late_search')
      search(): number {
        return 2;
      }
    }
    const samples = await scrape(running);
    for (const id of ['early_search', 'late_search'])
      assert.deepEqual(lines(familyOf(samples, { skill_id: id })), lines(zeroFamily({ skill_id: id })), id);
    assert.deepEqual([new Early().search(), new Late().search()], [1, 2]);
    const after = await scrape(running);
    assert.deepEqual(
      ['early_search', 'late_search'].map((id) => after.get(sampleKey(EXECUTIONS.name, { skill_id: id }))),
      [1, 1],
    );
  });

  it('serves the tools of the AI SDK integration at 0 before their first call', async () => {
    const running = await started();
    const tools = instrumentTools({ weather: tool({ inputSchema: jsonSchema({ type: 'object' }), execute: async () => 21 }) });
    const weather = { skill_id: 'weather' };
    assert.deepEqual(lines(familyOf(await scrape(running), weather)), lines(zeroFamily(weather)));
    await (tools.weather.execute as (input: unknown, options: unknown) => Promise<unknown>)({}, { toolCallId: 'c1', messages: [] });
    assert.equal((await scrape(running)).get(sampleKey(EXECUTIONS.name, weather)), 1);
  });

  it('keeps the empty histograms out when one of its Views sums the latency: the sum is the latency of the calls, never NaN', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['performance'] });
    const running = await started({ views: [{ instrumentName: LATENCY.name, aggregation: { type: AggregationType.SUM } }] });
    const search = running.wrap('web_search', () => clock.tick(40));
    const before = await scrape(running);
    assert.deepEqual(lines(familyOf(before, SEARCH)), lines(zeroFamily(SEARCH, { histograms: false })));
    search();
    search();
    const after = await scrape(running);
    // The exporter names a monotonic sum a counter, with _total.
    assert.equal(after.get(sampleKey(`${LATENCY.name}_total`, { ...SEARCH, [ATTR.outcome]: 'success' })), 80);
    assert.ok(![...after.values()].some(Number.isNaN), 'no NaN anywhere');
  });

  it('emits no more series than ANALYTICS_CARDINALITY_LIMIT for more skills, the overflow series at 0 too, none folded by the SDK', async () => {
    sinon.stub(log, 'warn');
    const running = await started({ env: { ANALYTICS_CARDINALITY_LIMIT: '5' } });
    const ids = Array.from({ length: 8 }, (_, index) => `skill_${index}`);
    for (const id of ids) running.wrap(id, () => 1);
    const samples = await scrape(running);
    const expected = new Map(
      [...ids.slice(0, 4).map((id) => ({ [ATTR.skillId]: id })), { [ATTR.overflow]: 'true' }].flatMap((attributes) => [
        ...zeroFamily(attributes),
      ]),
    );
    const ours = [...samples].filter(([key]) =>
      [EXECUTIONS, SUCCESSES, FAILURES, INSTALLS, LATENCY, RATING].some((m) => key.startsWith(m.name)),
    );
    assert.deepEqual(lines(new Map(ours)), lines(expected));
  });
});
