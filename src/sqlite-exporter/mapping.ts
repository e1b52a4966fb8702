import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type DataPoint,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { CallRating } from '../instruments/callRatings.js';
import { DetailScopeMetrics, type DrainedSeries } from '../instruments/DetailScopeMetrics.js';
import {
  EXECUTE_TOOL_DURATION,
  EXECUTIONS,
  FAILURES,
  HEALTH,
  INSTALLS,
  LATENCY,
  METER_NAME,
  RATING,
  SUCCESSES,
} from '../instruments/names.js';
import type { GenericPoint, MappedExport, UsageRow } from './rows.js';
import { sqliteTime } from '../store/schema.js';
import { SERIES_PER_BATCH, SeriesPacker } from './SeriesBatch.js';
import { SeriesRows } from './SeriesRows.js';

/**
 * Our metrics under their own names: their exact counterpart is the detail record, so the Meter's
 * copy is not stored again. The opt-in semconv histogram is the latency histogram in seconds, so
 * the opt-in leaves SQLite as it is.
 */
const OUR_METRICS = new Set([
  EXECUTIONS.name,
  SUCCESSES.name,
  FAILURES.name,
  INSTALLS.name,
  LATENCY.name,
  RATING.name,
  HEALTH.name,
  EXECUTE_TOOL_DURATION.name,
]);

/** A metric that could not be stored, and why; the exporter says so once per metric and reason. */
export interface SkippedMetric {
  readonly name: string;
  readonly reason: string;
}

/** One export taken apart: the exact record still as its drained series, everything else as generic points. */
export interface SplitExport {
  readonly drained: DrainedSeries[];
  readonly points: GenericPoint[];
  readonly skipped: SkippedMetric[];
}

/**
 * Takes one export apart. The exact record (the detail producer's {@link DetailScopeMetrics}) is
 * kept as the series it drained, for {@link SeriesRows} to map where the rows are written; the
 * health samples and every metric that is not ours (the application's, or ours renamed by a View,
 * less its points that count nothing) become generic points here. Our metrics as the Meter reports
 * them are left out: Views shape those for the other backends, while SQLite keeps the exact record.
 * A metric of a shape this version does not know is stored as far as it can be and named in
 * `skipped`. Pure.
 */
export function splitExport(metrics: ResourceMetrics): SplitExport {
  const drained: DrainedSeries[] = [];
  const points: GenericPoint[] = [];
  const skipped: SkippedMetric[] = [];
  for (const scope of metrics.scopeMetrics) {
    const { name, version = '' } = scope.scope;
    if (scope instanceof DetailScopeMetrics) {
      drained.push(...scope.drained);
      if (scope.health !== undefined) points.push(...genericPoints(scope.health, name, version, skipped));
      continue;
    }
    for (const metric of scope.metrics) {
      if (name !== METER_NAME) points.push(...genericPoints(metric, name, version, skipped));
      else if (!OUR_METRICS.has(metric.descriptor.name)) points.push(...genericPoints(countedOnly(metric), name, version, skipped));
    }
  }
  return { drained, points, skipped };
}

/**
 * Maps one export to rows, in this thread: one skill_usage row per skill, user, org and agent of
 * the exact record with activity, its ratings of calls, and the generic points of {@link splitExport}. Pure.
 */
export function mapExport(metrics: ResourceMetrics): MappedExport & { skipped: SkippedMetric[] } {
  const { drained, points, skipped } = splitExport(metrics);
  return { usage: usageRowsOf(drained), points, skipped, callRatings: callRatingsOf(drained) };
}

/** The ratings of calls of `drained`, in the order they were handed over. */
export function callRatingsOf(drained: readonly DrainedSeries[]): CallRating[] {
  return drained.flatMap((interval) => interval.callRatings ?? []);
}

/** The skill_usage rows of `drained`, through the same packing and mapping as the writer thread's. */
export function usageRowsOf(drained: readonly DrainedSeries[], packer: SeriesPacker = new SeriesPacker()): UsageRow[] {
  const rows = new SeriesRows();
  for (const { series, endMs } of drained) {
    const values = series.values();
    for (let packed = 0; packed < series.size; packed += SERIES_PER_BATCH) rows.add(packer.pack(values, endMs));
  }
  return rows.rows();
}

/**
 * `metric` (one of ours a View renamed) without the points that count nothing: a series starts at
 * 0 for the other backends (docs/metrics.md#every-series-starts-at-0), and a row of it would add
 * nothing here. Gauges keep every point: a health score of 0 is a score.
 */
function countedOnly(metric: MetricData): MetricData {
  const counted = (point: DataPoint<unknown>): boolean => {
    if (metric.dataPointType === DataPointType.SUM) return point.value !== 0;
    if (metric.dataPointType === DataPointType.HISTOGRAM || metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM)
      return (point.value as Histogram | ExponentialHistogram).count > 0;
    return true;
  };
  return { ...metric, dataPoints: (metric.dataPoints as DataPoint<unknown>[]).filter(counted) } as MetricData;
}

/** The metric's points as generic rows; a shape not known here is named in `skipped` instead of failing the export. */
function genericPoints(metric: MetricData, scopeName: string, scopeVersion: string, skipped: SkippedMetric[]): GenericPoint[] {
  const { descriptor } = metric;
  const type = TYPE_NAMES[metric.dataPointType] as GenericPoint['type'] | undefined;
  if (type === undefined) {
    skipped.push({ name: descriptor.name, reason: `its data point type ${String(metric.dataPointType)} is not one this version stores` });
    return [];
  }
  const base = {
    name: descriptor.name,
    description: descriptor.description,
    unit: descriptor.unit,
    type,
    temporality: metric.aggregationTemporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative',
    monotonic: metric.dataPointType === DataPointType.SUM ? metric.isMonotonic : null,
    scopeName,
    scopeVersion,
  } as const;
  const points: GenericPoint[] = [];
  let unreadable = 0;
  for (const point of metric.dataPoints as DataPoint<unknown>[]) {
    const columns = pointColumns(metric.dataPointType, point.value);
    if (columns === undefined) {
      unreadable++;
      continue;
    }
    points.push({
      ...base,
      attributes: JSON.stringify(sortedAttributes(point.attributes)),
      startTime: sqliteTime(hrToMs(point.startTime)),
      timestamp: sqliteTime(hrToMs(point.endTime)),
      ...columns,
    });
  }
  if (unreadable > 0)
    skipped.push({ name: descriptor.name, reason: `${unreadable} of its ${type} points have no value this version can read` });
  return points;
}

const TYPE_NAMES: Record<DataPointType, GenericPoint['type']> = {
  [DataPointType.SUM]: 'sum',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
};

type PointColumns = Pick<GenericPoint, 'value' | 'count' | 'sum' | 'min' | 'max' | 'bounds' | 'bucketCounts'>;

/** The columns of one point's value, or undefined when the value is not of its type's shape. */
function pointColumns(type: DataPointType, value: unknown): PointColumns | undefined {
  const none: PointColumns = { value: null, count: null, sum: null, min: null, max: null, bounds: null, bucketCounts: null };
  if (type === DataPointType.SUM || type === DataPointType.GAUGE) return typeof value === 'number' ? { ...none, value } : undefined;
  if (value === null || typeof value !== 'object' || typeof (value as { count?: unknown }).count !== 'number') return undefined;
  if (type === DataPointType.HISTOGRAM) {
    const histogram = value as Histogram;
    if (histogram.buckets === undefined) return undefined;
    return {
      ...none,
      count: histogram.count,
      sum: histogram.sum ?? null,
      min: histogram.min ?? null,
      max: histogram.max ?? null,
      bounds: JSON.stringify(histogram.buckets.boundaries),
      bucketCounts: JSON.stringify(histogram.buckets.counts),
    };
  }
  const exponential = value as ExponentialHistogram;
  return {
    ...none,
    count: exponential.count,
    sum: exponential.sum ?? null,
    min: exponential.min ?? null,
    max: exponential.max ?? null,
    bucketCounts: JSON.stringify({
      scale: exponential.scale,
      zeroCount: exponential.zeroCount,
      positive: exponential.positive,
      negative: exponential.negative,
    }),
  };
}

function sortedAttributes(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function hrToMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
