import assert from 'node:assert/strict';
import { log as diag } from '../../src/core/log.js';
import sinon from 'sinon';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { SeriesState } from '../../src/instruments/SeriesState.js';
import { InvalidSkillIdError } from '../../src/core/errors.js';
import { collectByName, histogramOf, testProvider, pointValue } from '../helpers/collect.js';

const EXEC = 'toolweaver_skill_executions_total';
const OK = 'toolweaver_skill_success_total';
const FAIL = 'toolweaver_skill_failures_total';
const LAT = 'toolweaver_skill_latency_milliseconds';

function setup() {
  const { provider, reader } = testProvider();
  const skills = SkillMetrics.fromMeterProvider(provider);
  return { skills, reader };
}

describe('SkillMetrics.wrap', () => {
  afterEach(() => sinon.restore());

  it('keeps a sync skill synchronous and returns its value', async () => {
    const { skills, reader } = setup();
    const add = skills.wrap('add', (a: number, b: number) => a + b);
    const result = add(2, 3);
    assert.equal(result, 5);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'add' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'add' }), 1);
  });

  it('resolves an async skill to the same value and counts it once it settles', async () => {
    const { skills, reader } = setup();
    const value = { answer: 42 };
    let release!: () => void;
    const search = skills.wrap('web_search', () => new Promise<typeof value>((resolve) => (release = () => resolve(value))));
    const pending = search();
    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'web_search' }), 0, 'not counted before it settles');
    release();
    assert.equal(await pending, value);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'web_search' }), 1);
    assert.equal(histogramOf(metrics, LAT, { skill_id: 'web_search', outcome: 'success' })?.count, 1);
  });

  it('rethrows the very error a sync skill throws, stack unchanged, and counts it by type', async () => {
    const { skills, reader } = setup();
    const thrown = Object.assign(new Error('quota'), { status: 429 });
    const stack = thrown.stack;
    const call = skills.wrap('send_email', () => {
      throw thrown;
    });
    assert.throws(call, (error) => error === thrown && (error as Error).stack === stack);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'send_email', error_type: 'rate_limited' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'send_email' }), 0);
    assert.equal(histogramOf(metrics, LAT, { skill_id: 'send_email', outcome: 'failure' })?.count, 1);
  });

  it('rejects with the very error an async skill rejects with', async () => {
    const { skills, reader } = setup();
    const rejected = new DOMException('stopped', 'AbortError');
    const call = skills.wrap('run_sql', async () => {
      throw rejected;
    });
    await assert.rejects(call(), (error) => error === rejected);
    assert.equal(pointValue(await collectByName(reader), FAIL, { skill_id: 'run_sql', error_type: 'cancelled' }), 1);
  });

  it('passes this and the arguments through and keeps the name and length', () => {
    const { skills } = setup();
    const target = {
      prefix: 'hello ',
      greet(name: string, punctuation: string) {
        return this.prefix + name + punctuation;
      },
    };
    const greet = skills.wrap('greet', target.greet);
    assert.equal(greet.call(target, 'ada', '!'), 'hello ada!');
    assert.equal(greet.name, 'greet');
    assert.equal(greet.length, 2);
  });

  it('leaves a rejection the caller never handles unhandled, reported for the promise the caller got', async () => {
    const { skills, reader } = setup();
    const rejected = Object.assign(new Error('bad gateway'), { status: 502 });
    const call = skills.wrap('fetch_page', async () => {
      throw rejected;
    });
    const unhandled = sinon.spy();
    process.on('unhandledRejection', unhandled);
    try {
      const returned = call();
      await new Promise((resolve) => setImmediate(resolve));
      // Mocha re-emits the event it traps, so a listener may hear one rejection twice.
      assert.ok(unhandled.callCount > 0);
      assert.ok(unhandled.getCalls().every((heard) => heard.args[0] === rejected && heard.args[1] === returned));
    } finally {
      process.off('unhandledRejection', unhandled);
    }
    assert.equal(pointValue(await collectByName(reader), FAIL, { skill_id: 'fetch_page', error_type: 'upstream' }), 1);
  });

  it('measures latency on the monotonic clock', async () => {
    const clock = sinon.useFakeTimers({ now: Date.parse('2026-11-28T10:00:00Z'), toFake: ['performance', 'Date'] });
    const { skills, reader } = setup();
    const slow = skills.wrap('slow', () => clock.tick(120));
    slow();
    const latency = histogramOf(await collectByName(reader), LAT, { skill_id: 'slow', outcome: 'success' });
    assert.equal(latency?.sum, 120);
    // Bounds 1, 2.5, 5, 10, 25, 50, 100, 250 ...: 120 ms is in (100, 250], the 8th bucket.
    assert.deepEqual(latency?.buckets.counts, [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('never lets a recording failure reach the caller', async () => {
    const { skills } = setup();
    sinon.stub(SeriesState.prototype, 'countSuccess').throws(new Error('broken recorder'));
    const report = sinon.stub(diag, 'error');
    const call = skills.wrap('fragile', () => 'still works');
    assert.equal(call(), 'still works');
    assert.equal(report.callCount, 1);
    assert.match(String(report.firstCall.args[0]), /could not record a skill call; the call itself is unaffected/);
  });

  it('counts a failure as internal when the classifier throws or answers outside the taxonomy', async () => {
    const { skills, reader } = setup();
    sinon.stub(diag, 'error');
    const warn = sinon.stub(diag, 'warn');
    const throwing = skills.wrap('a', () => Promise.reject(new Error('x')), {
      classifyError: () => {
        throw new Error('bad hook');
      },
    });
    const odd = skills.wrap('b', () => Promise.reject(new Error('x')), { classifyError: () => 'weird' as never });
    await assert.rejects(throwing());
    await assert.rejects(odd());
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'a', error_type: 'internal' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'b', error_type: 'internal' }), 1);
    assert.match(String(warn.firstCall.args[0]), /classifyError returned "weird"/);
  });

  it('uses the classifier hook when it names a type', async () => {
    const { skills, reader } = setup();
    const call = skills.wrap('c', () => Promise.reject(new Error('upstream said no')), { classifyError: () => 'upstream' });
    await assert.rejects(call());
    assert.equal(pointValue(await collectByName(reader), FAIL, { skill_id: 'c', error_type: 'upstream' }), 1);
  });

  for (const [label, id] of [
    ['an empty id', ''],
    ['a blank id', '   '],
    ['an overlong id', 'x'.repeat(129)],
    ['a newline', 'web\nsearch'],
    ['a NUL', 'web\u0000search'],
    ['a number', 42],
  ] as const) {
    it(`rejects ${label} as a skill id with a TypeError at wrap time`, () => {
      const { skills } = setup();
      assert.throws(
        () => skills.wrap(id as string, () => 1),
        (error) =>
          error instanceof TypeError &&
          error instanceof InvalidSkillIdError &&
          /Invalid skill id .*Use 1-128 printable characters/.test(error.message),
      );
    });
  }

  it('accepts an id of exactly 128 characters', () => {
    const { skills } = setup();
    assert.equal(skills.wrap('x'.repeat(128), () => 7)(), 7);
  });
});
