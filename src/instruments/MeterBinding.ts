import { ValueType, type BatchObservableResult, type Meter, type Observable } from '@opentelemetry/api';
import { ERROR_TYPES } from './errorTypes.js';
import { liveHealth } from './liveHealth.js';
import { ATTR, EXECUTIONS, FAILURES, HEALTH, INSTALLS, LATENCY, LATENCY_BOUNDARIES_MS, RATING, RATING_BOUNDARIES, SUCCESSES } from './names.js';
import type { SkillRecorder } from './SkillRecorder.js';

/**
 * Reports a recorder through any application Meter: counters and the health gauge as observable
 * instruments read from the recorder's totals at collection, the two histograms as sync instruments
 * recorded on each call (OpenTelemetry has no observable histogram).
 */
export function bindToMeter(recorder: SkillRecorder, meter: Meter): void {
  const executions = meter.createObservableCounter(EXECUTIONS.name, { description: EXECUTIONS.description, unit: EXECUTIONS.unit, valueType: ValueType.INT });
  const successes = meter.createObservableCounter(SUCCESSES.name, { description: SUCCESSES.description, unit: SUCCESSES.unit, valueType: ValueType.INT });
  const failures = meter.createObservableCounter(FAILURES.name, { description: FAILURES.description, unit: FAILURES.unit, valueType: ValueType.INT });
  const installs = meter.createObservableCounter(INSTALLS.name, { description: INSTALLS.description, unit: INSTALLS.unit, valueType: ValueType.INT });
  const health = meter.createObservableGauge(HEALTH.name, { description: HEALTH.description, unit: HEALTH.unit });
  recorder.sync = {
    latency: meter.createHistogram(LATENCY.name, {
      description: LATENCY.description,
      unit: LATENCY.unit,
      advice: { explicitBucketBoundaries: [...LATENCY_BOUNDARIES_MS] },
    }),
    rating: meter.createHistogram(RATING.name, {
      description: RATING.description,
      unit: RATING.unit,
      advice: { explicitBucketBoundaries: [...RATING_BOUNDARIES] },
    }),
  };
  const observables: Observable[] = [executions, successes, failures, installs, health];
  meter.addBatchObservableCallback((result: BatchObservableResult) => {
    for (const series of recorder.registry.allSeries()) {
      result.observe(executions, series.executions, series.attributes);
      result.observe(successes, series.successes, series.attributes);
      if (series.installs > 0) result.observe(installs, series.installs, series.attributes);
      series.failures.forEach((count, index) => {
        if (count > 0) result.observe(failures, count, { ...series.attributes, [ATTR.errorType]: ERROR_TYPES[index] });
      });
    }
    const now = recorder.clock.now();
    for (const skill of recorder.registry.skills()) {
      const { score } = liveHealth(skill, now, recorder.options.health);
      if (score !== undefined) result.observe(health, score, skill.base.attributes);
    }
  }, observables);
}
