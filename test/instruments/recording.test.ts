import assert from 'node:assert/strict';
import { log as diag } from '../../src/core/log.js';
import sinon from 'sinon';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { InvalidRatingError } from '../../src/core/errors.js';
import { collectByName, histogramOf, testProvider, pointValue } from '../helpers/collect.js';

const EXEC = 'toolweaver_skill_executions_total';
const FAIL = 'toolweaver_skill_failures_total';
const LAT = 'toolweaver_skill_latency_milliseconds';
const RATING = 'toolweaver_skill_rating';
const INSTALLS = 'toolweaver_skill_installs_total';
const HEALTH = 'toolweaver_skill_health_score';

function setup(options: ConstructorParameters<typeof SkillMetrics>[1] = {}) {
  const { provider, reader } = testProvider();
  const skills = SkillMetrics.fromMeterProvider(provider, options);
  return { skills, reader };
}

describe('SkillMetrics recording', () => {
  afterEach(() => sinon.restore());

  describe('startTimer', () => {
    it('records a success when ended without an error and a typed failure with one', async () => {
      const clock = sinon.useFakeTimers({ toFake: ['performance', 'Date'] });
      const { skills, reader } = setup();
      const ok = skills.startTimer('crawl');
      clock.tick(40);
      assert.equal(ok.end(), 40);
      const failed = skills.startTimer('crawl');
      clock.tick(3000);
      failed.end({ error: Object.assign(new Error('gateway'), { status: 502 }) });
      const metrics = await collectByName(reader);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'crawl' }), 2);
      assert.equal(pointValue(metrics, FAIL, { skill_id: 'crawl', error_type: 'upstream' }), 1);
      assert.equal(histogramOf(metrics, LAT, { skill_id: 'crawl', outcome: 'failure' })?.sum, 3000);
    });

    it('counts only the first end of a timer', async () => {
      const { skills, reader } = setup();
      const timer = skills.startTimer('once');
      const first = timer.end();
      assert.equal(timer.end({ error: new Error('late') }), first);
      assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'once' }), 1);
    });
  });

  describe('rate', () => {
    it('records stars as a distribution with count and sum', async () => {
      const { skills, reader } = setup();
      for (const stars of [5, 4, 4, 1]) skills.rate('web_search', stars);
      const rating = histogramOf(await collectByName(reader), RATING, { skill_id: 'web_search' });
      assert.equal(rating?.count, 4);
      assert.equal(rating?.sum, 14);
      // one bucket per star: (-inf,1] (1,2] (2,3] (3,4] (4,5] (5,+inf)
      assert.deepEqual(rating?.buckets.counts, [1, 0, 0, 2, 1, 0]);
    });

    for (const stars of [0, 6, 2.5, Number.NaN, '5', undefined, null]) {
      it(`refuses ${String(stars)} stars with an InvalidRatingError an API can map to 400`, () => {
        const { skills } = setup();
        assert.throws(
          () => skills.rate('web_search', stars as number),
          (error) =>
            error instanceof InvalidRatingError &&
            error instanceof RangeError &&
            error.code === 'TW_INVALID_RATING' &&
            error.statusCode === 400 &&
            /a rating is a whole number of stars from 1 to 5/.test(error.message),
        );
      });
    }
  });

  it('counts installs per skill', async () => {
    const { skills, reader } = setup();
    skills.recordInstall('run_sql');
    skills.recordInstall('run_sql', { userId: 'u1' });
    assert.equal(pointValue(await collectByName(reader), INSTALLS, { skill_id: 'run_sql' }), 2);
  });

  describe('withContext', () => {
    it('keeps user and org off the labels by default', async () => {
      const { skills, reader } = setup();
      const call = skills.wrap('web_search', async () => 1);
      await skills.withContext({ userId: 'u1', orgId: 'acme' }, () => call());
      const metrics = await collectByName(reader);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search' }), 1);
      assert.equal(metrics.get(EXEC)?.dataPoints.length, 1);
    });

    it('labels calls with the user and org of the context, across awaits, when user labels are on', async () => {
      const { skills, reader } = setup({ userLabels: true });
      const call = skills.wrap('web_search', async () => {
        await new Promise((resolve) => setImmediate(resolve));
        return 1;
      });
      await skills.withContext({ orgId: 'acme' }, async () => {
        await skills.withContext({ userId: 'u1' }, async () => {
          await new Promise((resolve) => setTimeout(resolve, 1));
          await call();
        });
        await call();
      });
      await call();
      const metrics = await collectByName(reader);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search', user_id: 'u1', org_id: 'acme' }), 1);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search', org_id: 'acme' }), 1);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search' }), 1);
    });

    it('returns what the function returns, sync or async', async () => {
      const { skills } = setup();
      assert.equal(
        skills.withContext({ userId: 'u' }, () => 3),
        3,
      );
      assert.equal(await skills.withContext({ userId: 'u' }, async () => 4), 4);
    });
  });

  describe('cardinality limit', () => {
    it('folds series past the limit into one overflow series and keeps the totals', async () => {
      const warn = sinon.stub(diag, 'warn');
      const { skills, reader } = setup({ cardinalityLimit: 3 });
      for (const id of ['a', 'b', 'c', 'd', 'e']) skills.wrap(id, () => 1)();
      const metrics = await collectByName(reader);
      const points = metrics.get(EXEC)?.dataPoints ?? [];
      assert.equal(points.length, 3);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'a' }), 1);
      assert.equal(pointValue(metrics, EXEC, { skill_id: 'b' }), 1);
      assert.equal(pointValue(metrics, EXEC, { 'otel.metric.overflow': true }), 3);
      assert.equal(warn.callCount, 1);
      assert.match(String(warn.firstCall.args[0]), /more than 3 metric series.*ANALYTICS_CARDINALITY_LIMIT/);
    });
  });

  describe('health score', () => {
    it('gives no score below the minimum number of calls', async () => {
      const { skills, reader } = setup({ health: { minCalls: 5 } });
      const call = skills.wrap('new_skill', () => 1);
      for (let i = 0; i < 4; i++) call();
      assert.equal((await collectByName(reader)).get(HEALTH), undefined);
      assert.equal(skills.health('new_skill').score, undefined);
    });

    it('scores a skill from its window once it has enough calls, as the shared formula does', async () => {
      const clock = sinon.useFakeTimers({ now: Date.parse('2026-11-28T10:00:00Z'), toFake: ['performance', 'Date'] });
      const { skills, reader } = setup({ health: { minCalls: 5, latencyTargetMs: 1000 } });
      const call = skills.wrap('steady', () => clock.tick(50));
      for (let i = 0; i < 20; i++) call();
      const score = pointValue(await collectByName(reader), HEALTH, { skill_id: 'steady' });
      const result = skills.health('steady');
      assert.equal(score, result.score);
      assert.ok(score !== undefined && score > 80 && score <= 100, `score ${score}`);
      assert.equal(result.components.latency, 1, 'p95 of 50 ms is within the 1000 ms target');
    });

    it('forgets calls older than the window, reporting NaN (no score) for a skill that had one', async () => {
      const clock = sinon.useFakeTimers({ now: Date.parse('2026-11-28T10:00:00Z'), toFake: ['performance', 'Date'] });
      const { skills, reader } = setup({ health: { minCalls: 5, windowMs: 60_000 } });
      const call = skills.wrap('bursty', () => 1);
      for (let i = 0; i < 10; i++) call();
      assert.notEqual(pointValue(await collectByName(reader), HEALTH, { skill_id: 'bursty' }), undefined);
      clock.tick(61_000);
      assert.ok(Number.isNaN(pointValue(await collectByName(reader), HEALTH, { skill_id: 'bursty' })));
      assert.equal(skills.health('bursty').score, undefined);
    });
  });
});
