import { AggregationType, InstrumentType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { LATENCY, METER_NAME, RATING, type MetricName } from '../instruments/names.js';

/** The aggregations that leave a histogram a histogram (or drop it): an empty one made with NaN stays empty. */
const KEEPING = new Set<unknown>([
  AggregationType.DEFAULT,
  AggregationType.DROP,
  AggregationType.EXPLICIT_BUCKET_HISTOGRAM,
  AggregationType.EXPONENTIAL_HISTOGRAM,
]);

/**
 * Whether `views` leave our latency and rating histograms histograms, so their series may start
 * empty (SkillMetricsOptions.zeroHistograms): false when a View that could select either gives it
 * another aggregation (a sum or last value would keep the NaN that makes an empty histogram).
 * "Could select" leans to yes: a wildcard name, or a selector this does not know, counts as one.
 */
export function viewsKeepHistograms(views: readonly ViewOptions[]): boolean {
  return !views.some(
    (view) => !KEEPING.has(view.aggregation?.type ?? AggregationType.DEFAULT) && (couldSelect(view, LATENCY) || couldSelect(view, RATING)),
  );
}

function couldSelect(view: ViewOptions, metric: MetricName): boolean {
  if (view.meterName !== undefined && view.meterName !== METER_NAME) return false;
  if (view.instrumentType !== undefined && view.instrumentType !== InstrumentType.HISTOGRAM) return false;
  if (view.instrumentUnit !== undefined && view.instrumentUnit !== metric.unit) return false;
  const name = view.instrumentName;
  return name === undefined || name.includes('*') || name.toLowerCase() === metric.name;
}
