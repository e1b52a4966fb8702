import { metrics, type MeterProvider } from '@opentelemetry/api';
import { SkillMetrics } from './SkillMetrics.js';
import { processWide } from '../core/processWide.js';

/** The running pipelines, oldest first, and the SkillMetrics over the global provider; one per process. */
interface DefaultState {
  readonly running: SkillMetrics[];
  fromGlobal: { provider: MeterProvider; skills: SkillMetrics } | undefined;
}

const state = processWide<DefaultState>('default-skill-metrics', () => ({ running: [], fromGlobal: undefined }));

/**
 * The SkillMetrics that `@skill` methods and the integrations record into: the most recently
 * started `startAnalytics()` that is still running, else one over the global MeterProvider
 * (followed if the application registers a provider later).
 */
export function defaultSkillMetrics(): SkillMetrics {
  const newest = state.running.at(-1);
  if (newest !== undefined) return newest;
  const provider = metrics.getMeterProvider();
  if (state.fromGlobal?.provider !== provider) state.fromGlobal = { provider, skills: SkillMetrics.fromMeterProvider(provider) };
  return state.fromGlobal.skills;
}

/** @internal startAnalytics: `skills` is running until the returned function is called. */
export function addRunningSkillMetrics(skills: SkillMetrics): () => void {
  state.running.push(skills);
  return () => {
    const index = state.running.lastIndexOf(skills);
    if (index >= 0) state.running.splice(index, 1);
  };
}
