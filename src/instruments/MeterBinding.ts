import { ROOT_CONTEXT, ValueType, type BatchObservableResult, type Histogram, type Meter, type Observable } from '@opentelemetry/api';
import { log } from '../core/log.js';
import { linkIfCollecting } from './DetailLinks.js';
import { ExecuteToolDuration } from './ExecuteToolDuration.js';
import { liveHealth } from './liveHealth.js';
import { EXECUTIONS, FAILURES, HEALTH, INSTALLS, LATENCY, LATENCY_BOUNDARIES_MS, RATING, RATING_BOUNDARIES, SUCCESSES } from './names.js';
import type { SeriesState } from './SeriesState.js';
import type { SkillRecorder } from './SkillRecorder.js';

/** The instruments a recorder records each call into. */
export interface SyncInstruments {
  readonly latency: Histogram;
  readonly rating: Histogram;
  /** `gen_ai.execute_tool.duration`, when the recorder's `semconv` opts in. */
  readonly executeTool: ExecuteToolDuration | undefined;
  /** Gives a new series its empty latency (both outcomes) and rating histograms, when the recorder's `zeroHistograms` is on. */
  readonly startAtZero: ((series: SeriesState) => void) | undefined;
}

/**
 * Creates our instruments on `meter` for `recorder`: the latency and rating histograms as real
 * Histogram instruments recorded on each call, the counters and the health gauge as observable
 * instruments read from the recorder's own totals at collection. Every View of the Meter's
 * provider applies to all of them. The one batch callback also links the recorder to the SQLite
 * reader collecting, if any (see DetailLinks). The semconv histogram is created only when opted in,
 * so without the opt-in no backend sees its name.
 *
 * Every series is observed from its creation with every counter of its family, each error type
 * and installs included, so that a store's first sample of each is 0 (docs/metrics.md#every-series-starts-at-0).
 */
export function bindToMeter(recorder: SkillRecorder, meter: Meter): SyncInstruments {
  const executions = meter.createObservableCounter(EXECUTIONS.name, {
    description: EXECUTIONS.description,
    unit: EXECUTIONS.unit,
    valueType: ValueType.INT,
  });
  const successes = meter.createObservableCounter(SUCCESSES.name, {
    description: SUCCESSES.description,
    unit: SUCCESSES.unit,
    valueType: ValueType.INT,
  });
  const failures = meter.createObservableCounter(FAILURES.name, {
    description: FAILURES.description,
    unit: FAILURES.unit,
    valueType: ValueType.INT,
  });
  const installs = meter.createObservableCounter(INSTALLS.name, {
    description: INSTALLS.description,
    unit: INSTALLS.unit,
    valueType: ValueType.INT,
  });
  const health = meter.createObservableGauge(HEALTH.name, { description: HEALTH.description, unit: HEALTH.unit });
  const observables: Observable[] = [executions, successes, failures, installs, health];
  const scored = new WeakSet<object>();
  meter.addBatchObservableCallback((result: BatchObservableResult) => {
    linkIfCollecting(recorder);
    for (const series of recorder.registry.allSeries()) {
      result.observe(executions, series.executions, series.attributes);
      result.observe(successes, series.successes, series.attributes);
      result.observe(installs, series.installs, series.attributes);
      series.failures.forEach((count, index) => result.observe(failures, count, series.failureAttributes(index)));
    }
    const now = recorder.clock.now();
    for (const skill of recorder.registry.skills()) {
      const { score } = liveHealth(skill, now, recorder.options.health);
      if (score !== undefined) {
        scored.add(skill);
        result.observe(health, score, skill.base.attributes);
      } else if (scored.has(skill)) {
        // OpenTelemetry's cumulative gauges repeat the last value of an attribute set that is no
        // longer observed: NaN (a gap on a graph, false in every comparison) says there is no score now.
        result.observe(health, Number.NaN, skill.base.attributes);
      }
    }
  }, observables);
  const latency = meter.createHistogram(LATENCY.name, {
    description: LATENCY.description,
    unit: LATENCY.unit,
    advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] },
  });
  const rating = meter.createHistogram(RATING.name, {
    description: RATING.description,
    unit: RATING.unit,
    advice: { explicitBucketBoundaries: [...RATING_BOUNDARIES] },
  });
  return {
    latency,
    rating,
    executeTool: recorder.options.semconv?.includes('gen_ai_latest_experimental')
      ? new ExecuteToolDuration(meter, recorder.options.metricAttributes ?? [])
      : undefined,
    startAtZero: recorder.options.zeroHistograms === true ? emptyHistograms(latency, rating) : undefined,
  };
}

/**
 * Makes the latency and rating histograms of a series exist, empty. A sync Histogram has a series
 * only once something is recorded into it, and NaN is the one measurement OpenTelemetry's histogram
 * aggregations (explicit-bucket and exponential) take without counting it anywhere: the series
 * gets count 0, sum 0, every bucket 0, no min or max. A sum or last-value aggregation would keep
 * it, which is why `zeroHistograms` is off unless the Views are known (startAnalytics checks its
 * own). Recorded in the root context, so no exemplar of a sampled span is ever taken of it.
 */
function emptyHistograms(latency: Histogram, rating: Histogram): (series: SeriesState) => void {
  return (series) => {
    try {
      latency.record(Number.NaN, series.outcomeAttributes[0], ROOT_CONTEXT);
      latency.record(Number.NaN, series.outcomeAttributes[1], ROOT_CONTEXT);
      rating.record(Number.NaN, series.attributes, ROOT_CONTEXT);
    } catch (error) {
      log.once('empty-histograms', 'error', 'could not emit the empty histograms of a new series; its calls are still recorded', error);
    }
  };
}
