import type { Attributes, HrTime } from '@opentelemetry/api';
import { ERROR_TYPES } from './errorTypes.js';
import { bucketIndex, histogramLength, HistogramState, recordInto } from './HistogramState.js';
import { ATTR, LATENCY_BOUNDARIES_MS, OUTCOME, RATING_BOUNDARIES } from './names.js';
import { toHrTime } from './clock.js';

/** Where each total lives in a series' one array. */
const EXECUTIONS = 0;
const SUCCESSES = 1;
/**
 * The running totals of the skill's live health window (successes, failures, then a count per
 * latency bucket), kept in its base series right beside the counts a call writes anyway: the
 * window only snapshots them when a new time slot starts (HealthWindow).
 */
const HEALTH = 2;
/** How many numbers the health totals take. */
export const HEALTH_TOTALS_LENGTH = 2 + LATENCY_BOUNDARIES_MS.length + 1;
const INSTALLS = HEALTH + HEALTH_TOTALS_LENGTH;
const FIRST_FAILURE = INSTALLS + 1;
const SUCCESS_LATENCY = FIRST_FAILURE + ERROR_TYPES.length;
const FAILURE_LATENCY = SUCCESS_LATENCY + histogramLength(LATENCY_BOUNDARIES_MS);
const RATINGS = FAILURE_LATENCY + histogramLength(LATENCY_BOUNDARIES_MS);
const LENGTH = RATINGS + histogramLength(RATING_BOUNDARIES);

/**
 * Where each total lives in a series' numbers, for code that reads them as one array (the SQLite
 * exporter hands them to its writer thread that way, see SeriesBatch): the histograms' own layout
 * is HISTOGRAM_LAYOUT from their offset.
 */
export const SERIES_LAYOUT = Object.freeze({
  executions: EXECUTIONS,
  successes: SUCCESSES,
  installs: INSTALLS,
  /** One count per error type, in ERROR_TYPES order. */
  failures: FIRST_FAILURE,
  successLatency: SUCCESS_LATENCY,
  failureLatency: FAILURE_LATENCY,
  ratings: RATINGS,
  length: LENGTH,
});

/**
 * The cumulative totals of one attribute set (a skill, or a skill and a user when user labels
 * are on), kept as plain numbers and read at collection time. Every total is in one array: at
 * thousands of series a call costs what it touches outside the CPU cache, and a chain of small
 * objects per series is several places where one array is one or two.
 */
export class SeriesState {
  readonly attributes: Attributes;
  /** `attributes` plus `outcome`, built once for the latency histogram. */
  readonly outcomeAttributes: readonly [success: Attributes, failure: Attributes];
  readonly startTime: HrTime;
  /** When the series' calls were made, for a series of calls measured elsewhere; undefined: at collection. */
  readonly endTime: HrTime | undefined;
  /** {@link SeriesState.startTime} in epoch milliseconds. */
  readonly startEpochMs: number;
  /** {@link SeriesState.endTime} in epoch milliseconds; undefined: at collection. */
  readonly endEpochMs: number | undefined;
  readonly #values = new Float64Array(LENGTH);
  /** Failures per error type, in {@link ERROR_TYPES} order (a view of this series' numbers). */
  readonly failures = this.#values.subarray(FIRST_FAILURE, SUCCESS_LATENCY);
  readonly latency: readonly [success: HistogramState, failure: HistogramState] = [
    new HistogramState(LATENCY_BOUNDARIES_MS, this.#values, SUCCESS_LATENCY),
    new HistogramState(LATENCY_BOUNDARIES_MS, this.#values, FAILURE_LATENCY),
  ];
  readonly ratings = new HistogramState(RATING_BOUNDARIES, this.#values, RATINGS);
  /** `attributes` plus `error_type`, per error type, built on the first failure of that type. */
  readonly #failureAttributes: (Attributes | undefined)[] = [];
  /** The running health totals (a view of this series' numbers); used on a skill's base series only. */
  readonly healthTotals = this.#values.subarray(HEALTH, HEALTH + HEALTH_TOTALS_LENGTH);

  constructor(attributes: Attributes, startEpochMs: number, endEpochMs?: number) {
    this.attributes = frozenCopy(attributes);
    this.outcomeAttributes = [frozenCopy(attributes, ATTR.outcome, OUTCOME.success), frozenCopy(attributes, ATTR.outcome, OUTCOME.failure)];
    this.startTime = toHrTime(startEpochMs);
    this.endTime = endEpochMs === undefined ? undefined : toHrTime(endEpochMs);
    this.startEpochMs = startEpochMs;
    this.endEpochMs = endEpochMs;
  }

  /** Copies this series' numbers, laid out as {@link SERIES_LAYOUT} says, into `target` from `offset`. */
  copyTo(target: Float64Array, offset: number): void {
    target.set(this.#values, offset);
  }

  /**
   * The attributes of this series' failures of the error type at `errorTypeIndex`. The same frozen
   * object every collection, so the Prometheus text of its labels is built once.
   */
  failureAttributes(errorTypeIndex: number): Attributes {
    const existing = this.#failureAttributes[errorTypeIndex];
    if (existing !== undefined) return existing;
    const attributes = frozenCopy(this.attributes, ATTR.errorType, ERROR_TYPES[errorTypeIndex]);
    this.#failureAttributes[errorTypeIndex] = attributes;
    return attributes;
  }

  get executions(): number {
    return this.#values[EXECUTIONS]!;
  }

  get successes(): number {
    return this.#values[SUCCESSES]!;
  }

  get installs(): number {
    return this.#values[INSTALLS]!;
  }

  /** Records a successful call; `bucket` is its latency's bucket in LATENCY_BOUNDARIES_MS, when already known. */
  recordSuccess(latencyMs: number, bucket: number = bucketIndex(LATENCY_BOUNDARIES_MS, latencyMs)): void {
    const values = this.#values;
    values[EXECUTIONS]! += 1;
    values[SUCCESSES]! += 1;
    recordInto(values, SUCCESS_LATENCY, latencyMs, bucket);
  }

  /**
   * Records a failed call of the error type at `errorTypeIndex` in ERROR_TYPES (0 to 6, as
   * errorTypeIndex gives); `bucket` is its latency's bucket in LATENCY_BOUNDARIES_MS, when already known.
   */
  recordFailure(latencyMs: number, errorTypeIndex: number, bucket: number = bucketIndex(LATENCY_BOUNDARIES_MS, latencyMs)): void {
    const values = this.#values;
    values[EXECUTIONS]! += 1;
    values[FIRST_FAILURE + errorTypeIndex]! += 1;
    recordInto(values, FAILURE_LATENCY, latencyMs, bucket);
  }

  /** Counts a successful call without its latency: the metric backends take latency from their Histogram. */
  countSuccess(): void {
    const values = this.#values;
    values[EXECUTIONS]! += 1;
    values[SUCCESSES]! += 1;
  }

  /** Counts a failed call of the error type at `errorTypeIndex`, without its latency. */
  countFailure(errorTypeIndex: number): void {
    const values = this.#values;
    values[EXECUTIONS]! += 1;
    values[FIRST_FAILURE + errorTypeIndex]! += 1;
  }

  recordInstall(): void {
    this.#values[INSTALLS]! += 1;
  }
}

/**
 * A frozen copy of `attributes`, with one more attribute when given. Copied with Object.assign, not
 * spread: V8 gives each frozen spread copy a hidden class of its own, so that every later read of
 * the attributes (the exporters map thousands per export) misses its inline caches.
 */
function frozenCopy(attributes: Attributes, key?: string, value?: string): Attributes {
  const copy: Attributes = Object.assign({}, attributes);
  if (key !== undefined) copy[key] = value;
  return Object.freeze(copy);
}
