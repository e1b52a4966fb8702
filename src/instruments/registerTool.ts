import { log } from '../core/log.js';
import type { SkillRecorder } from './SkillRecorder.js';
import type { ToolInfo } from './toolInfo.js';

/**
 * Registers `tool` in `recorder` (SkillRecorder.register), so its series are 0 before its first
 * call, never throwing: the recorder may come from another copy of the package, and a wrap, a
 * class definition or an instrumentation must not fail for it.
 */
export function registerTool(recorder: SkillRecorder, tool: ToolInfo): void {
  try {
    recorder.register(tool);
  } catch (error) {
    log.once(
      'register-tool',
      'warn',
      `could not register skill ${JSON.stringify(tool.skillId)} before its first call; its series start with that call`,
      error,
    );
  }
}
