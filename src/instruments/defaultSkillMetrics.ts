import { metrics, type MeterProvider } from '@opentelemetry/api';
import { log } from '../core/log.js';
import { processWide } from '../core/processWide.js';
import { registerTool } from './registerTool.js';
import { SkillMetrics } from './SkillMetrics.js';
import type { ToolInfo } from './toolInfo.js';

/** The running pipelines, oldest first, and the SkillMetrics over the global provider; one per process. */
interface DefaultState {
  readonly running: SkillMetrics[];
  fromGlobal: { provider: MeterProvider; skills: SkillMetrics } | undefined;
}

const state = processWide<DefaultState>('default-skill-metrics', () => ({ running: [], fromGlobal: undefined }));

/**
 * The tools of the wrappers made to record into the default SkillMetrics (`@skill` methods and the
 * integrations' tools), the latest one of each skill id: each SkillMetrics that becomes the default
 * registers them, so their series are 0 there before their first call, wherever they were made.
 */
const lateBound = processWide<Map<string, ToolInfo>>('late-bound-tools', () => new Map());

/** Skill ids remembered for the SkillMetrics started later; past it, a wrapper is registered only where it is made. */
export const MAX_LATE_BOUND_SKILLS = 10_000;

/**
 * The SkillMetrics that `@skill` methods and the integrations record into: the most recently
 * started `startAnalytics()` that is still running, else one over the global MeterProvider
 * (followed if the application registers a provider later).
 */
export function defaultSkillMetrics(): SkillMetrics {
  const newest = state.running.at(-1);
  if (newest !== undefined) return newest;
  const provider = metrics.getMeterProvider();
  if (state.fromGlobal?.provider !== provider) {
    const skills = SkillMetrics.fromMeterProvider(provider);
    state.fromGlobal = { provider, skills };
    registerLateBound(skills);
  }
  return state.fromGlobal.skills;
}

/** @internal startAnalytics: `skills` is running until the returned function is called. */
export function addRunningSkillMetrics(skills: SkillMetrics): () => void {
  state.running.push(skills);
  registerLateBound(skills);
  return () => {
    const index = state.running.lastIndexOf(skills);
    if (index >= 0) state.running.splice(index, 1);
  };
}

/**
 * Registers `tool`, whose wrapper records into the default SkillMetrics found at each call, in
 * every SkillMetrics that can be that default now (each running startAnalytics(), else the global
 * provider's), and remembers it for those that become the default later.
 */
export function registerDefaultTool(tool: ToolInfo): void {
  if (lateBound.size < MAX_LATE_BOUND_SKILLS || lateBound.has(tool.skillId)) lateBound.set(tool.skillId, tool);
  else
    log.once(
      'late-bound-skills',
      'warn',
      `more than ${MAX_LATE_BOUND_SKILLS} skills made by @skill or an integration; the rest are emitted at 0 only by the analytics ` +
        'running when they are made, and by the others from their first call',
    );
  if (state.running.length === 0) registerTool(defaultSkillMetrics().recorder, tool);
  else for (const skills of state.running) registerTool(skills.recorder, tool);
}

/** @internal Tests: forgets the remembered tools, as a new process would not know them. */
export function forgetDefaultTools(): void {
  lateBound.clear();
}

function registerLateBound(skills: SkillMetrics): void {
  for (const tool of lateBound.values()) registerTool(skills.recorder, tool);
}
