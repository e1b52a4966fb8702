import { assertSkillId } from './skillId.js';
import { type AnyFunction, lateBoundWrap } from './lateBoundWrap.js';
import type { SkillMetrics } from './SkillMetrics.js';
import { ToolInfo, type WrapOptions } from './toolInfo.js';

/** Settings of a `@skill` method. */
export interface SkillDecoratorOptions extends WrapOptions {
  /** Record into this SkillMetrics. @default the running startAnalytics(), else the global MeterProvider */
  metrics?: SkillMetrics;
}

/**
 * What `@skill(id)` returns: a method decorator for both TypeScript decorator modes. Under standard
 * decorators it is called as `(method, context)` and returns the wrapped method; under
 * `experimentalDecorators` as `(target, propertyKey, descriptor)` and returns the descriptor with
 * its `value` wrapped. Either way the method is wrapped the same way.
 */
export interface SkillMethodDecorator {
  /** Standard (TC39) decorators, TypeScript's default. */
  <This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return;
  /** Legacy decorators (`experimentalDecorators: true`: NestJS, TypeORM …), instance or static methods. */
  <T extends (...args: never[]) => unknown>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

/**
 * A method decorator, for TypeScript standard decorators and for `experimentalDecorators` alike:
 * every call is recorded as skill `skillId`, with the method's contract kept exactly as
 * {@link SkillMetrics.wrap} keeps it.
 *
 * ```ts
 * class Tools { @skill('web_search') async search(q: string) { … } }
 * ```
 */
export function skill(skillId: string, options: SkillDecoratorOptions = {}): SkillMethodDecorator {
  assertSkillId(skillId);
  const tool = new ToolInfo(skillId, options, `@skill(${JSON.stringify(skillId)})`);
  function decorate(value: unknown, context: unknown, descriptor?: unknown): unknown {
    if (typeof context === 'object' && context !== null && 'kind' in context) {
      const { kind, name } = context as DecoratorContext;
      if (kind !== 'method') throw unsupported(skillId, kind, name);
      return wrapMethod(options, tool, value as Method);
    }
    if (typeof context === 'string' || typeof context === 'symbol') return decorateLegacy(skillId, options, tool, context, descriptor);
    // Legacy class decorator (target only) or constructor parameter decorator (target, undefined, index).
    throw unsupported(
      skillId,
      typeof descriptor === 'number' ? 'parameter' : typeof value === 'function' ? 'class' : typeof value,
      undefined,
    );
  }
  return decorate as SkillMethodDecorator;
}

type Method = AnyFunction;

/** The one wrapper of both decorator modes: the recorder is looked up at call time. */
function wrapMethod(options: SkillDecoratorOptions, tool: ToolInfo, method: Method): Method {
  return lateBoundWrap(tool, method, options.metrics);
}

/**
 * `experimentalDecorators`: TypeScript's __decorate passes a method's property descriptor (of the
 * prototype, or of the class for a static method), `undefined` for a field, a descriptor with
 * get/set for an accessor and a number for a parameter; Babel's legacy mode passes a field as a
 * descriptor with an `initializer`. Only a method has a function to wrap.
 */
function decorateLegacy(
  skillId: string,
  options: SkillDecoratorOptions,
  tool: ToolInfo,
  key: string | symbol,
  descriptor: unknown,
): PropertyDescriptor {
  if (typeof descriptor === 'number') throw unsupported(skillId, 'parameter', undefined);
  if (typeof descriptor !== 'object' || descriptor === null || 'initializer' in descriptor) throw unsupported(skillId, 'field', key);
  const property = descriptor as PropertyDescriptor;
  if (property.get !== undefined || property.set !== undefined) throw unsupported(skillId, 'accessor', key);
  if (typeof property.value !== 'function') throw unsupported(skillId, 'property', key);
  property.value = wrapMethod(options, tool, property.value as Method);
  return property;
}

function unsupported(skillId: string, kind: string, name: string | symbol | undefined): TypeError {
  const what = name === undefined ? `a ${kind}` : `the ${kind} ${String(name)}`;
  const method = typeof name === 'string' ? name : 'name';
  const hints: Record<string, string> = {
    field: `make it a method declaration (${method}(…) { … }) rather than a property holding a function: a field has no function yet when decorators run, so there is nothing to wrap`,
    accessor: 'put it on a method, or record inside the accessor with SkillMetrics.wrap() or startTimer()',
    getter: 'put it on a method, or record inside the getter with SkillMetrics.wrap() or startTimer()',
    setter: 'put it on a method, or record inside the setter with SkillMetrics.wrap() or startTimer()',
    class: 'put it on each method to record, or wrap functions with SkillMetrics.wrap()',
    parameter: 'put it on the method itself',
  };
  return new TypeError(`@skill('${skillId}') decorates methods, not ${what}: ${hints[kind] ?? 'put it on a method declaration'}`);
}
