import { defaultSkillMetrics } from './defaultSkillMetrics.js';
import { assertSkillId } from './skillId.js';
import type { SkillMetrics, WrapOptions } from './SkillMetrics.js';
import type { SkillRecorder } from './SkillRecorder.js';
import type { SkillState } from './SkillRegistry.js';

/** Settings of a `@skill` method. */
export interface SkillDecoratorOptions extends WrapOptions {
  /** Record into this SkillMetrics. @default the running startAnalytics(), else the global MeterProvider */
  metrics?: SkillMetrics;
}

/**
 * A TypeScript standard decorator for class methods: every call is recorded as skill `skillId`,
 * with the method's contract kept exactly as {@link SkillMetrics.wrap} keeps it.
 *
 * ```ts
 * class Tools { @skill('web_search') async search(q: string) { … } }
 * ```
 */
export function skill(skillId: string, options: SkillDecoratorOptions = {}) {
  assertSkillId(skillId);
  return function decorate<This, Args extends unknown[], Return>(
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): (this: This, ...args: Args) => Return {
    if (context.kind !== 'method') throw new TypeError(`@skill('${skillId}') decorates methods, not a ${String(context.kind)}`);
    let recorder: SkillRecorder | undefined;
    let state: SkillState | undefined;
    return function (this: This, ...args: Args): Return {
      const current = (options.metrics ?? defaultSkillMetrics()).recorder;
      if (current !== recorder || state === undefined) {
        recorder = current;
        state = current.skill(skillId);
      }
      return current.invoke(state, method, this, args, options.classifyError) as Return;
    };
  };
}
