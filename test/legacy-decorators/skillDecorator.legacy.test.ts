// Compiled by tsconfig.test.legacy.json with `experimentalDecorators: true`, as in NestJS or TypeORM
// projects: TypeScript calls each decorator as (target, propertyKey, descriptor) through its
// __decorate helper, and this file proves @skill wraps the method the same way as under standard
// decorators (test/instruments/meterMode.test.ts).
import assert from 'node:assert/strict';
import { SkillMetrics } from '../../src/instruments/SkillMetrics.js';
import { skill } from '../../src/instruments/skillDecorator.js';
import { collectByName, testProvider, pointValue } from '../helpers/collect.js';

const EXEC = 'toolweaver_skill_executions_total';
const OK = 'toolweaver_skill_success_total';
const FAIL = 'toolweaver_skill_failures_total';

describe('@skill under experimentalDecorators', () => {
  it('records instance methods, keeping this, return values, thrown errors and sync results', async () => {
    const { provider, reader } = testProvider();
    const skills = SkillMetrics.fromMeterProvider(provider);
    const boom = Object.assign(new Error('bad input'), { status: 400 });
    const seen: unknown[] = [];
    class Tools {
      readonly base = 10;

      @skill('add', { metrics: skills })
      add(value: number): number {
        seen.push(this);
        return this.base + value;
      }

      @skill('fail_sync', { metrics: skills })
      failSync(): never {
        throw boom;
      }

      @skill('lookup', { metrics: skills })
      async lookup(key: string): Promise<string> {
        if (key === 'missing') throw Object.assign(new Error('not found'), { status: 404 });
        return `value of ${key}`;
      }
    }

    const tools = new Tools();
    const sum = tools.add(5);
    assert.equal(sum, 15, 'a sync method returns its value itself, not a promise');
    assert.deepEqual(seen, [tools], 'this is the instance');
    assert.throws(
      () => tools.failSync(),
      (error: unknown) => error === boom,
      'the same error object is rethrown',
    );
    const pending = tools.lookup('a');
    assert.ok(pending instanceof Promise);
    assert.equal(await pending, 'value of a');
    await assert.rejects(tools.lookup('missing'), /not found/);

    const descriptor = Object.getOwnPropertyDescriptor(Tools.prototype, 'add');
    assert.equal(descriptor?.enumerable, false, 'the method stays a non-enumerable prototype method');
    assert.equal(descriptor?.writable, true);
    assert.deepEqual([tools.add.name, tools.add.length], ['add', 1], 'the method keeps its name and length');

    const collected = await collectByName(reader);
    assert.equal(pointValue(collected, EXEC, { skill_id: 'add' }), 1);
    assert.equal(pointValue(collected, OK, { skill_id: 'add' }), 1);
    assert.equal(pointValue(collected, EXEC, { skill_id: 'fail_sync' }), 1);
    assert.equal(pointValue(collected, FAIL, { skill_id: 'fail_sync', error_type: 'validation' }), 1);
    assert.equal(pointValue(collected, EXEC, { skill_id: 'lookup' }), 2);
    assert.equal(pointValue(collected, OK, { skill_id: 'lookup' }), 1);
    assert.equal(pointValue(collected, FAIL, { skill_id: 'lookup', error_type: 'validation' }), 1);
  });

  it('records static methods with the class as this', async () => {
    const { provider, reader } = testProvider();
    const skills = SkillMetrics.fromMeterProvider(provider);
    class Factory {
      static readonly prefix = 'made';

      @skill('make', { metrics: skills })
      static make(name: string): string {
        assert.equal(this, Factory);
        return `${this.prefix} ${name}`;
      }
    }
    assert.equal(Factory.make('x'), 'made x');
    assert.equal(Factory.make('y'), 'made y');
    assert.equal(pointValue(await collectByName(reader), EXEC, { skill_id: 'make' }), 2);
  });

  it('rejects an invalid skill id when the class is defined', () => {
    assert.throws(() => skill(''), TypeError);
  });

  it('says what to do when put on a field or an accessor', () => {
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
        /@skill\('field'\) decorates methods, not the field run/.test(error.message) &&
        /method declaration/.test(error.message),
    );
    assert.throws(
      () => {
        class Accessors {
          // @ts-expect-error -- an accessor is not a method: TypeScript rejects it too
          @skill('getter')
          get value(): number {
            return 1;
          }
        }
        return Accessors;
      },
      (error: unknown) => error instanceof TypeError && /@skill\('getter'\) decorates methods, not the accessor value/.test(error.message),
    );
  });
});
