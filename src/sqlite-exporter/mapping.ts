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
import { errorTypeIndex } from '../instruments/errorTypes.js';
import { ATTR, EXECUTIONS, FAILURES, INSTALLS, LATENCY, LATENCY_BOUNDARIES_MS, METER_NAME, RATING, SUCCESSES } from '../instruments/names.js';
import type { CumulativeTracker } from './CumulativeTracker.js';
import type { GenericPoint, MappedExport, UsageRow } from './rows.js';
import { ERROR_COLUMNS, OVERFLOW_SKILL_ID, sqliteTime } from './schema.js';
import { UsageRowIndex } from './UsageRowIndex.js';


const SKILL_METRICS = new Set([EXECUTIONS.name, SUCCESSES.name, FAILURES.name, INSTALLS.name, LATENCY.name, RATING.name]);
const BUCKETS = LATENCY_BOUNDARIES_MS.length + 1;

/**
 * Maps one export to rows: our skill metrics (any temporality) to one skill_usage row per skill,
 * user and org with the increase over the interval; every other data point to a generic point.
 * `tracker` remembers cumulative values between exports. Pure apart from `tracker`.
 */
export function mapExport(metrics: ResourceMetrics, tracker: CumulativeTracker): MappedExport {
  const usage = new UsageRowIndex();
  const points: GenericPoint[] = [];
  const times = new TimeTexts();
  for (const scope of metrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (scope.scope.name === METER_NAME && SKILL_METRICS.has(metric.descriptor.name)) addSkillMetric(metric, usage, tracker, times);
      else points.push(...genericPoints(metric, scope.scope.name, scope.scope.version ?? ''));
    }
  }
  return { usage: usage.rows().filter(hasActivity), points };
}

/** SQLite texts of the times of one export: its points share a handful, and formatting a Date is most of a point's cost. */
class TimeTexts {
  readonly #texts = new Map<number, string>();

  of(epochMs: number): string {
    let text = this.#texts.get(epochMs);
    if (text === undefined) {
      text = sqliteTime(epochMs);
      this.#texts.set(epochMs, text);
    }
    return text;
  }
}

function addSkillMetric(metric: MetricData, usage: UsageRowIndex, tracker: CumulativeTracker, times: TimeTexts): void {
  const cumulative = metric.aggregationTemporality === AggregationTemporality.CUMULATIVE;
  for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
    const values = pointValues(point.value);
    const start = times.of(hrToMs(point.startTime));
    const endMs = hrToMs(point.endTime);
    // Only a cumulative point needs its series' previous values, and so a key for them.
    const { delta, sinceMs } = cumulative
      ? tracker.delta(`${metric.descriptor.name}${JSON.stringify(sortedAttributes(point.attributes))}`, start, endMs, values)
      : { delta: values, sinceMs: undefined };
    if (delta.every((value) => value === 0)) continue;
    const row = rowFor(usage, point.attributes, sinceMs === undefined ? start : times.of(sinceMs), times.of(endMs));
    addDelta(row, metric.descriptor.name, point, delta, cumulative);
  }
}

/** A point's numbers in a fixed order: a sum's value, or a histogram's count, sum and bucket counts. */
function pointValues(value: number | Histogram): number[] {
  if (typeof value === 'number') return [value];
  return [value.count, value.sum ?? 0, ...value.buckets.counts];
}

function addDelta(row: UsageRow, name: string, point: DataPoint<number | Histogram>, delta: number[], cumulative: boolean): void {
  const [first = 0, sum = 0, ...counts] = delta;
  switch (name) {
    case EXECUTIONS.name:
      row.executions += first;
      return;
    case SUCCESSES.name:
      row.successes += first;
      return;
    case FAILURES.name: {
      const index = errorTypeIndex(String(point.attributes[ATTR.errorType] ?? 'internal'));
      row.errors[index >= 0 ? index : ERROR_COLUMNS.length - 1]! += first;
      row.failures += first;
      return;
    }
    case INSTALLS.name:
      row.installs += first;
      return;
    case LATENCY.name:
      addLatency(row, point.value as Histogram, sum, counts, cumulative);
      return;
    case RATING.name:
      row.ratingCount += first;
      row.ratingSum += sum;
      for (let star = 0; star < 5; star++) row.stars[star]! += counts[star] ?? 0;
  }
}

function addLatency(row: UsageRow, histogram: Histogram, sum: number, counts: number[], cumulative: boolean): void {
  row.latencySumMs += sum;
  for (let bucket = 0; bucket < BUCKETS; bucket++) row.latencyBuckets[bucket]! += counts[bucket] ?? 0;
  // A cumulative min and max cover the whole life of the series, not this interval: leave them out.
  if (cumulative) return;
  if (histogram.min !== undefined) row.latencyMinMs = row.latencyMinMs === null ? histogram.min : Math.min(row.latencyMinMs, histogram.min);
  if (histogram.max !== undefined) row.latencyMaxMs = row.latencyMaxMs === null ? histogram.max : Math.max(row.latencyMaxMs, histogram.max);
}

function rowFor(usage: UsageRowIndex, attributes: Attributes, intervalStart: string, timestamp: string): UsageRow {
  const overflow = attributes[ATTR.overflow] === true;
  const skillId = typeof attributes[ATTR.skillId] === 'string' ? (attributes[ATTR.skillId] as string) : OVERFLOW_SKILL_ID;
  const userId = typeof attributes[ATTR.userId] === 'string' ? (attributes[ATTR.userId] as string) : null;
  const orgId = typeof attributes[ATTR.orgId] === 'string' ? (attributes[ATTR.orgId] as string) : null;
  const row = usage.get(timestamp, overflow, skillId, userId, orgId, () =>
    emptyRow(skillId, userId, orgId, intervalStart, timestamp, overflow || skillId === OVERFLOW_SKILL_ID),
  );
  if (intervalStart < row.intervalStart) row.intervalStart = intervalStart;
  return row;
}

/** A row with nothing counted yet. */
export function emptyRow(skillId: string, userId: string | null, orgId: string | null, intervalStart: string, timestamp: string, overflow: boolean): UsageRow {
  return {
    skillId,
    userId,
    orgId,
    timestamp,
    intervalStart,
    executions: 0,
    successes: 0,
    failures: 0,
    latencySumMs: 0,
    latencyMinMs: null,
    latencyMaxMs: null,
    latencyBuckets: new Array<number>(BUCKETS).fill(0),
    errors: new Array<number>(ERROR_COLUMNS.length).fill(0),
    ratingCount: 0,
    ratingSum: 0,
    stars: [0, 0, 0, 0, 0],
    installs: 0,
    overflow,
  };
}

function hasActivity(row: UsageRow): boolean {
  return row.executions > 0 || row.ratingCount > 0 || row.installs > 0;
}

function genericPoints(metric: MetricData, scopeName: string, scopeVersion: string): GenericPoint[] {
  const { descriptor } = metric;
  const base = {
    name: descriptor.name,
    description: descriptor.description,
    unit: descriptor.unit,
    type: TYPE_NAMES[metric.dataPointType],
    temporality: metric.aggregationTemporality === AggregationTemporality.DELTA ? 'delta' : 'cumulative',
    monotonic: metric.dataPointType === DataPointType.SUM ? metric.isMonotonic : null,
    scopeName,
    scopeVersion,
  } as const;
  return (metric.dataPoints as DataPoint<unknown>[]).map((point) => ({
    ...base,
    attributes: JSON.stringify(sortedAttributes(point.attributes)),
    startTime: sqliteTime(hrToMs(point.startTime)),
    timestamp: sqliteTime(hrToMs(point.endTime)),
    ...pointColumns(metric.dataPointType, point.value),
  }));
}

const TYPE_NAMES: Record<DataPointType, GenericPoint['type']> = {
  [DataPointType.SUM]: 'sum',
  [DataPointType.GAUGE]: 'gauge',
  [DataPointType.HISTOGRAM]: 'histogram',
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 'exponential_histogram',
};

type PointColumns = Pick<GenericPoint, 'value' | 'count' | 'sum' | 'min' | 'max' | 'bounds' | 'bucketCounts'>;

function pointColumns(type: DataPointType, value: unknown): PointColumns {
  const none: PointColumns = { value: null, count: null, sum: null, min: null, max: null, bounds: null, bucketCounts: null };
  if (type === DataPointType.SUM || type === DataPointType.GAUGE) return { ...none, value: value as number };
  if (type === DataPointType.HISTOGRAM) {
    const histogram = value as Histogram;
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
    bucketCounts: JSON.stringify({ scale: exponential.scale, zeroCount: exponential.zeroCount, positive: exponential.positive, negative: exponential.negative }),
  };
}

function sortedAttributes(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function hrToMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
