import { defaultSkillMetrics } from './defaultSkillMetrics.js';
import type { SkillMetrics } from './SkillMetrics.js';
import type { SkillRecorder } from './SkillRecorder.js';
import type { SkillState } from './SkillRegistry.js';
import type { ToolInfo } from './toolInfo.js';
import { withShapeOf } from './wrapperShape.js';

/** Any function a wrapper stands in for. */
export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * `fn` recorded as `tool` into `metrics` or, when that is undefined, into the SkillMetrics
 * `@skill` and the integrations use (the running startAnalytics(), else the global provider's),
 * looked up at each call: a wrapper made before startAnalytics() records into it once it runs.
 * The wrapper keeps `fn`'s contract as {@link SkillMetrics.wrap} does.
 */
export function lateBoundWrap<F extends AnyFunction>(tool: ToolInfo, fn: F, metrics: SkillMetrics | undefined): F {
  let recorder: SkillRecorder | undefined;
  let state: SkillState | undefined;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const current = (metrics ?? defaultSkillMetrics()).recorder;
    if (current !== recorder || state === undefined) {
      recorder = current;
      state = current.skill(tool.skillId);
    }
    return current.invoke(state, tool, fn, this, args);
  };
  return withShapeOf(wrapped, fn) as F;
}
