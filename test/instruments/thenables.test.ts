import assert from 'node:assert/strict';
import sinon from 'sinon';
import { EXECUTIONS, FAILURES, LATENCY, SUCCESSES } from '../../src/instruments/names.js';
import { collectByName, histogramOf, testSkills as setup, pointValue } from '../helpers/collect.js';

const [EXEC, OK, FAIL, LAT] = [EXECUTIONS.name, SUCCESSES.name, FAILURES.name, LATENCY.name];

/** A lazy query builder as Knex and Mongoose write them: chains with where(), runs only on then(). */
class QueryBuilder {
  readonly clauses: string[] = [];
  runs = 0;

  where(clause: string): this {
    this.clauses.push(clause);
    return this;
  }

  then<T>(onFulfilled: (rows: string[]) => T, onRejected?: (error: unknown) => T): Promise<T> {
    this.runs++;
    return Promise.resolve([`rows where ${this.clauses.join(' and ')}`]).then(onFulfilled, onRejected);
  }
}

/** A real Promise subclass with a method of its own, as some clients return. */
class CancellablePromise<T> extends Promise<T> {
  cancelled = false;

  cancel(): void {
    this.cancelled = true;
  }
}

describe('what a wrapped skill returns, kind by kind', () => {
  afterEach(() => sinon.restore());

  it('gives a native promise back as a new native promise with the same outcome', async () => {
    const { skills, reader } = setup();
    const original = Promise.resolve('done');
    const returned = skills.wrap('native', () => original)();
    assert.notEqual(returned, original);
    assert.equal(Object.getPrototypeOf(returned), Promise.prototype);
    assert.equal(await returned, 'done');
    assert.equal(pointValue(await collectByName(reader), OK, { skill_id: 'native' }), 1);
  });

  it('returns a real Promise subclass as the same object, and counts how it settles', async () => {
    const clock = sinon.useFakeTimers({ toFake: ['performance', 'Date'] });
    const { skills, reader } = setup();
    let settle!: (value: string) => void;
    const pending = new CancellablePromise<string>((resolve) => (settle = resolve));
    const returned = skills.wrap('subclass', () => pending)();
    assert.equal(returned, pending, 'the same object, with its own methods');
    returned.cancel();
    assert.equal(pending.cancelled, true);
    clock.tick(250);
    settle('later');
    assert.equal(await returned, 'later');
    const failing = CancellablePromise.reject(Object.assign(new Error('gone'), { status: 404 })) as CancellablePromise<string>;
    assert.equal(skills.wrap('subclass', () => failing)(), failing);
    await assert.rejects(failing, /gone/);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, OK, { skill_id: 'subclass' }), 1);
    assert.equal(pointValue(metrics, FAIL, { skill_id: 'subclass', error_type: 'validation' }), 1);
    assert.equal(histogramOf(metrics, LAT, { skill_id: 'subclass', outcome: 'success' })?.sum, 250, 'timed to its settlement');
  });

  it('returns a lazy query builder untouched: not run early, still chainable, run once when the caller awaits it', async () => {
    const { skills, reader } = setup();
    const query = skills.wrap('run_sql', () => new QueryBuilder().where('org = 1'))();
    assert.ok(query instanceof QueryBuilder);
    assert.equal(query.runs, 0, 'not run by the instrumentation');
    query.where('active');
    assert.deepEqual(await query, ['rows where org = 1 and active']);
    assert.equal(query.runs, 1);
    const metrics = await collectByName(reader);
    assert.equal(pointValue(metrics, EXEC, { skill_id: 'run_sql' }), 1);
    assert.equal(pointValue(metrics, OK, { skill_id: 'run_sql' }), 1, 'counted as a success when the function returned it');
  });

  it('returns a thenable whose then returns nothing, or throws, as it is, without calling then', async () => {
    const { skills, reader } = setup();
    const silent = { then: sinon.spy() };
    const throwing = {
      then() {
        throw new Error('then exploded');
      },
    };
    assert.equal(skills.wrap('odd', () => silent)(), silent);
    assert.equal(skills.wrap('odd', () => throwing)(), throwing);
    assert.equal(silent.then.callCount, 0);
    assert.equal(pointValue(await collectByName(reader), OK, { skill_id: 'odd' }), 2);
  });

  it('returns an object whose then getter throws as it is, counted as a success', async () => {
    const { skills, reader } = setup();
    const hostile = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('no then for you');
      },
    });
    assert.equal(skills.wrap('hostile', () => hostile)(), hostile);
    assert.equal(pointValue(await collectByName(reader), OK, { skill_id: 'hostile' }), 1);
  });
});
