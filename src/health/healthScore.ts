import { DEFAULTS } from '../config/defaults.js';
import { wilsonLowerBound } from './wilson.js';

/** How much each component counts towards the score. Renormalised over the components present. */
export interface HealthWeights {
  /** @default 0.5 */
  readonly success: number;
  /** @default 0.25 */
  readonly latency: number;
  /** @default 0.15 */
  readonly rating: number;
  /** @default 0.1 */
  readonly usage: number;
}

/** The tunables of {@link computeHealth}. Every one has a default in {@link HEALTH_DEFAULTS}. */
export interface HealthParams {
  /** Calls in the window below which no score is given. @default 20 */
  readonly minCalls: number;
  /** p95 latency, in ms, that earns the full latency component when the input names no target. @default 1000 */
  readonly latencyTargetMs: number;
  /** Calls in the window that earn the full usage component; must be > 0. @default 100 */
  readonly usageTarget: number;
  /** Stars a skill is assumed to have before any rating. @default 3 */
  readonly ratingPriorMean: number;
  /** How many ratings the prior is worth. @default 5 */
  readonly ratingPriorWeight: number;
  /** Non-negative weights; `success + usage` must be > 0. @default HEALTH_WEIGHTS */
  readonly weights: HealthWeights;
}

/** The weights of the health score: success 0.5, latency 0.25, rating 0.15, usage 0.1. Frozen. */
export const HEALTH_WEIGHTS: HealthWeights = Object.freeze({ success: 0.5, latency: 0.25, rating: 0.15, usage: 0.1 });

/** Every default of the health score, weights included, in one frozen object. */
export const HEALTH_DEFAULTS: HealthParams = Object.freeze({
  // The configuration's defaults (ANALYTICS_HEALTH_MIN_CALLS, ANALYTICS_LATENCY_TARGET_MS), so the live score and the reports agree.
  minCalls: DEFAULTS.health.minCalls,
  latencyTargetMs: DEFAULTS.health.latencyTargetMs,
  usageTarget: 100,
  ratingPriorMean: 3,
  ratingPriorWeight: 5,
  weights: HEALTH_WEIGHTS,
});

/** What the score is computed from: one skill over one window. */
export interface HealthInput {
  /** Calls that succeeded. */
  readonly successes: number;
  /** Calls that failed. */
  readonly failures: number;
  /** p95 latency in ms, e.g. `histogramQuantile(0.95, …)`; undefined or NaN when nothing was timed. */
  readonly p95LatencyMs?: number;
  /** This skill's p95 target in ms, > 0. @default params.latencyTargetMs */
  readonly latencyTargetMs?: number;
  /** Sum of the stars (1 to 5) of the ratings in the window. */
  readonly ratingSum?: number;
  /** Number of ratings in the window. */
  readonly ratingCount?: number;
}

/** Scores from 0 to 1. `latency` and `rating` are absent (not undefined-valued keys) when there is no data. */
export interface HealthComponents {
  readonly success: number;
  readonly latency?: number;
  readonly rating?: number;
  readonly usage: number;
}

/** The health of one skill, with the parts it is made of. */
export interface HealthResult {
  /** 0 to 100 with one decimal; undefined below `minCalls` calls. */
  readonly score: number | undefined;
  readonly components: HealthComponents;
  /** The weights applied: the components present, renormalised to sum to 1. */
  readonly weights: HealthComponents;
  /** successes + failures. */
  readonly calls: number;
  /** Why `score` is undefined. */
  readonly reason?: 'insufficient_data';
}

/**
 * The health score of a skill: `round(100 × Σ weightᵢ × componentᵢ, 1 decimal)`, from 0 to 100.
 *
 * - success = {@link wilsonLowerBound}(successes, calls): 10/10 gives 0.72, 1000/1000 gives 0.996.
 * - latency = 1 when p95 <= target, else target / p95; absent without a p95.
 * - rating = (b − 1) / 4 with b = (priorMean × priorWeight + ratingSum) / (priorWeight + ratingCount);
 *   absent without ratings.
 * - usage = min(1, ln(1 + calls) / ln(1 + usageTarget)).
 *
 * Absent components are dropped and the remaining weights scaled to sum to 1. Below `minCalls`
 * calls `score` is undefined with `reason: 'insufficient_data'`; components are still returned.
 * The score never falls when a failure turns into a success or a success is added; it can rise
 * with more failures, through usage. Never throws. See docs/health.md.
 *
 * @param input - Counts, p95 and ratings of one skill over the window.
 * @param params - Overrides of {@link HEALTH_DEFAULTS}.
 */
export function computeHealth(input: HealthInput, params?: Partial<HealthParams>): HealthResult {
  const calls = input.successes + input.failures;
  const latencyTargetMs = input.latencyTargetMs ?? params?.latencyTargetMs ?? HEALTH_DEFAULTS.latencyTargetMs;
  const components = presentOnly(
    wilsonLowerBound(input.successes, calls),
    latencyComponent(input.p95LatencyMs, latencyTargetMs),
    ratingComponent(input.ratingSum, input.ratingCount, params),
    usageComponent(calls, params?.usageTarget ?? HEALTH_DEFAULTS.usageTarget),
  );
  const weights = weightsFor(components, params?.weights ?? HEALTH_DEFAULTS.weights);
  if (calls < (params?.minCalls ?? HEALTH_DEFAULTS.minCalls)) {
    return { score: undefined, components, weights, calls, reason: 'insufficient_data' };
  }
  return { score: weightedScore(components, weights), components, weights, calls };
}

function latencyComponent(p95LatencyMs: number | undefined, targetMs: number): number | undefined {
  if (p95LatencyMs === undefined || Number.isNaN(p95LatencyMs)) return undefined;
  return p95LatencyMs <= targetMs ? 1 : targetMs / p95LatencyMs;
}

function ratingComponent(
  ratingSum: number | undefined,
  ratingCount: number | undefined,
  params: Partial<HealthParams> | undefined,
): number | undefined {
  const count = ratingCount ?? 0;
  if (ratingSum === undefined || !(count > 0)) return undefined;
  const priorMean = params?.ratingPriorMean ?? HEALTH_DEFAULTS.ratingPriorMean;
  const priorWeight = params?.ratingPriorWeight ?? HEALTH_DEFAULTS.ratingPriorWeight;
  const stars = (priorMean * priorWeight + ratingSum) / (priorWeight + count);
  return (stars - 1) / 4;
}

function usageComponent(calls: number, usageTarget: number): number {
  return Math.min(1, Math.log1p(calls) / Math.log1p(usageTarget));
}

/** The weights of the components present, divided by their sum. */
function weightsFor(components: HealthComponents, weights: HealthWeights): HealthComponents {
  const hasLatency = components.latency !== undefined;
  const hasRating = components.rating !== undefined;
  const sum = weights.success + weights.usage + (hasLatency ? weights.latency : 0) + (hasRating ? weights.rating : 0);
  return presentOnly(
    weights.success / sum,
    hasLatency ? weights.latency / sum : undefined,
    hasRating ? weights.rating / sum : undefined,
    weights.usage / sum,
  );
}

function weightedScore(components: HealthComponents, weights: HealthComponents): number {
  const sum =
    components.success * weights.success +
    (components.latency ?? 0) * (weights.latency ?? 0) +
    (components.rating ?? 0) * (weights.rating ?? 0) +
    components.usage * weights.usage;
  return Math.round(sum * 1000) / 10;
}

/** One object per shape, keys in a fixed order, so absent components are missing rather than undefined. */
function presentOnly(success: number, latency: number | undefined, rating: number | undefined, usage: number): HealthComponents {
  if (latency === undefined) return rating === undefined ? { success, usage } : { success, rating, usage };
  return rating === undefined ? { success, latency, usage } : { success, latency, rating, usage };
}
