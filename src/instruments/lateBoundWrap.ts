import { defaultSkillMetrics, registerDefaultTool } from './defaultSkillMetrics.js';
import { registerTool } from './registerTool.js';
import type { SkillMetrics } from './SkillMetrics.js';
import type { SkillRecorder } from './SkillRecorder.js';
import type { SkillState } from './SkillRegistry.js';
import type { ToolInfo } from './toolInfo.js';
import { withShapeOf } from './wrapperShape.js';

/** Any function a wrapper stands in for. */
export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/** Settings of a {@link lateBoundWrap}. */
export interface LateBoundOptions {
  /**
   * Register the skill now, so its series are 0 before its first call: in `metrics`, or in every
   * SkillMetrics that is or becomes the default. Off for a wrapper made at its own first call. @default true
   */
  readonly register?: boolean;
}

/**
 * `fn` recorded as `tool` into `metrics` or, when that is undefined, into the SkillMetrics
 * `@skill` and the integrations use (the running startAnalytics(), else the global provider's),
 * looked up at each call: a wrapper made before startAnalytics() records into it once it runs.
 * The wrapper keeps `fn`'s contract as {@link SkillMetrics.wrap} does.
 */
export function lateBoundWrap<F extends AnyFunction>(
  tool: ToolInfo,
  fn: F,
  metrics: SkillMetrics | undefined,
  options: LateBoundOptions = {},
): F {
  if (options.register !== false) {
    if (metrics === undefined) registerDefaultTool(tool);
    else registerTool(metrics.recorder, tool);
  }
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
