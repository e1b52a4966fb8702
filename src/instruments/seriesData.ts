import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import type { HistogramState } from './HistogramState.js';
import { EXECUTIONS, FAILURES, HEALTH, INSTALLS, LATENCY, RATING, SUCCESSES, type MetricName } from './names.js';
import type { SeriesState } from './SeriesState.js';

/**
 * The counters and histograms of `series` as delta metric data ending at `end` (or at a series' own
 * end time, for calls measured elsewhere): executions and successes for every series, failures,
 * installs, latency and ratings where there are any. This is the shape of the SQLite backend's
 * exact record; no View ever applies to it.
 */
export function seriesMetrics(series: readonly SeriesState[], end: HrTime): MetricData[] {
  const temporality = AggregationTemporality.DELTA;
  return [
    sum(
      EXECUTIONS,
      temporality,
      series.map((s) => point(s.attributes, s.startTime, s.endTime ?? end, s.executions)),
    ),
    sum(
      SUCCESSES,
      temporality,
      series.map((s) => point(s.attributes, s.startTime, s.endTime ?? end, s.successes)),
    ),
    sum(
      FAILURES,
      temporality,
      series.flatMap((s) => failurePoints(s, s.endTime ?? end)),
    ),
    sum(
      INSTALLS,
      temporality,
      series.filter((s) => s.installs > 0).map((s) => point(s.attributes, s.startTime, s.endTime ?? end, s.installs)),
    ),
    histogram(
      LATENCY,
      temporality,
      series.flatMap((s) => latencyPoints(s, s.endTime ?? end)),
    ),
    histogram(
      RATING,
      temporality,
      series.filter((s) => s.ratings.count > 0).map((s) => point(s.attributes, s.startTime, s.endTime ?? end, histogramValue(s.ratings))),
    ),
  ];
}

/** The `toolweaver_skill_health_score` gauge with `points`. */
export function healthGauge(dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: descriptor(HEALTH, ValueType.DOUBLE),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints,
  };
}

export function point<T>(attributes: Attributes, startTime: HrTime, endTime: HrTime, value: T): DataPoint<T> {
  return { attributes, startTime, endTime, value };
}

function failurePoints(series: SeriesState, end: HrTime): DataPoint<number>[] {
  const points: DataPoint<number>[] = [];
  series.failures.forEach((count, index) => {
    if (count > 0) points.push(point(series.failureAttributes(index), series.startTime, end, count));
  });
  return points;
}

function latencyPoints(series: SeriesState, end: HrTime): DataPoint<Histogram>[] {
  const points: DataPoint<Histogram>[] = [];
  series.latency.forEach((state, outcome) => {
    if (state.count > 0) points.push(point(series.outcomeAttributes[outcome] as Attributes, series.startTime, end, histogramValue(state)));
  });
  return points;
}

function histogramValue(state: HistogramState): Histogram {
  return {
    buckets: { boundaries: [...state.boundaries], counts: Array.from(state.counts) },
    count: state.count,
    sum: state.sum,
    min: state.min,
    max: state.max,
  };
}

function descriptor(name: MetricName, valueType: ValueType) {
  return { name: name.name, description: name.description, unit: name.unit, valueType };
}

function sum(name: MetricName, temporality: AggregationTemporality, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: descriptor(name, ValueType.INT),
    aggregationTemporality: temporality,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}

function histogram(name: MetricName, temporality: AggregationTemporality, dataPoints: DataPoint<Histogram>[]): MetricData {
  return {
    descriptor: descriptor(name, ValueType.DOUBLE),
    aggregationTemporality: temporality,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints,
  };
}
