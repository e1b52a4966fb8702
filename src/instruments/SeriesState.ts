import type { Attributes, HrTime } from '@opentelemetry/api';
import { ERROR_TYPES } from './errorTypes.js';
import { HistogramState } from './HistogramState.js';
import { ATTR, LATENCY_BOUNDARIES_MS, OUTCOME, RATING_BOUNDARIES } from './names.js';
import { toHrTime } from './clock.js';

/**
 * The cumulative totals of one attribute set (a skill, or a skill and a user when user labels
 * are on), kept as plain numbers and read at collection time.
 */
export class SeriesState {
  readonly attributes: Attributes;
  /** `attributes` plus `outcome`, built once for the latency histogram. */
  readonly outcomeAttributes: readonly [success: Attributes, failure: Attributes];
  readonly startTime: HrTime;
  executions = 0;
  successes = 0;
  installs = 0;
  /** Failures per error type, in {@link ERROR_TYPES} order. */
  readonly failures = new Float64Array(ERROR_TYPES.length);
  readonly latency: readonly [success: HistogramState, failure: HistogramState] = [
    new HistogramState(LATENCY_BOUNDARIES_MS),
    new HistogramState(LATENCY_BOUNDARIES_MS),
  ];
  readonly ratings = new HistogramState(RATING_BOUNDARIES);
  /** `attributes` plus `error_type`, per error type, built on the first failure of that type. */
  readonly #failureAttributes: (Attributes | undefined)[] = [];

  constructor(attributes: Attributes, startEpochMs: number) {
    this.attributes = frozenCopy(attributes);
    this.outcomeAttributes = [frozenCopy(attributes, OUTCOME.success), frozenCopy(attributes, OUTCOME.failure)];
    this.startTime = toHrTime(startEpochMs);
  }

  /**
   * The attributes of this series' failures of the error type at `errorTypeIndex`. The same frozen
   * object every collection, so the Prometheus text of its labels is built once.
   */
  failureAttributes(errorTypeIndex: number): Attributes {
    const existing = this.#failureAttributes[errorTypeIndex];
    if (existing !== undefined) return existing;
    const attributes = Object.freeze({ ...this.attributes, [ATTR.errorType]: ERROR_TYPES[errorTypeIndex] });
    this.#failureAttributes[errorTypeIndex] = attributes;
    return attributes;
  }

  recordSuccess(latencyMs: number): void {
    this.executions++;
    this.successes++;
    this.latency[0].record(latencyMs);
  }

  recordFailure(latencyMs: number, errorTypeIndex: number): void {
    this.executions++;
    this.failures[errorTypeIndex] = (this.failures[errorTypeIndex] ?? 0) + 1;
    this.latency[1].record(latencyMs);
  }
}

/**
 * A frozen copy of `attributes`, with `outcome` when given. Copied with Object.assign, not spread:
 * V8 gives each frozen spread copy a hidden class of its own, so that every later read of the
 * attributes (the exporters map thousands per export) misses its inline caches.
 */
function frozenCopy(attributes: Attributes, outcome?: string): Attributes {
  const copy: Attributes = Object.assign({}, attributes);
  if (outcome !== undefined) copy[ATTR.outcome] = outcome;
  return Object.freeze(copy);
}
