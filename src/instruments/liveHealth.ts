import type { HealthConfig } from '../config/types.js';
import { computeHealth, type HealthResult } from '../health/healthScore.js';
import { histogramQuantile } from '../health/histogramQuantile.js';
import { LATENCY_BOUNDARIES_MS } from './names.js';
import type { SkillState } from './SkillRegistry.js';

/**
 * The live health of one skill over its rolling window: the same formula the SQL reports use
 * (docs/health.md), fed from the in-process window.
 */
export function liveHealth(skill: SkillState, nowMs: number, config: HealthConfig): HealthResult {
  const totals = skill.health.totals(nowMs);
  const calls = totals.successes + totals.failures;
  const p95 = calls > 0 ? histogramQuantile(0.95, LATENCY_BOUNDARIES_MS, totals.latencyCounts) : undefined;
  const target = (skill.skillId !== undefined ? config.latencyTargetsMs[skill.skillId] : undefined) ?? config.latencyTargetMs;
  return computeHealth(
    {
      successes: totals.successes,
      failures: totals.failures,
      p95LatencyMs: p95,
      latencyTargetMs: target,
      ratingSum: skill.ratingSum,
      ratingCount: skill.ratingCount,
    },
    { minCalls: config.minCalls },
  );
}
