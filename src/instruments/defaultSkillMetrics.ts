import { metrics, type MeterProvider } from '@opentelemetry/api';
import { SkillMetrics } from './SkillMetrics.js';

let active: SkillMetrics | undefined;
let fromGlobal: { provider: MeterProvider; skills: SkillMetrics } | undefined;

/**
 * The SkillMetrics that `@skill` methods record into: the running `startAnalytics()` one, else one
 * over the global MeterProvider (followed if the application registers a provider later).
 */
export function defaultSkillMetrics(): SkillMetrics {
  if (active !== undefined) return active;
  const provider = metrics.getMeterProvider();
  if (fromGlobal?.provider !== provider) fromGlobal = { provider, skills: SkillMetrics.fromMeterProvider(provider) };
  return fromGlobal.skills;
}

/** @internal startAnalytics makes its SkillMetrics the default while it runs. */
export function setActiveSkillMetrics(skills: SkillMetrics | undefined): void {
  active = skills;
}
