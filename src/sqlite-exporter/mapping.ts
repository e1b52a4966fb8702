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
  const usage = new UsageRowIndex(newRow);
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
  // A point's start and end are most often those of the point before: each is kept apart.
  readonly start = new LastTimeText(this);
  readonly end = new LastTimeText(this);

  of(epochMs: number): string {
    let text = this.#texts.get(epochMs);
    if (text === undefined) {
      text = sqliteTime(epochMs);
      this.#texts.set(epochMs, text);
    }
    return text;
  }
}

/** The text of the last HrTime asked for, found again by its two numbers. */
class LastTimeText {
  readonly #texts: TimeTexts;
  #seconds = NaN;
  #nanos = NaN;
  #text = '';

  constructor(texts: TimeTexts) {
    this.#texts = texts;
  }

  of(time: HrTime): string {
    if (time[0] !== this.#seconds || time[1] !== this.#nanos) {
      this.#seconds = time[0];
      this.#nanos = time[1];
      this.#text = this.#texts.of(hrToMs(time));
    }
    return this.#text;
  }
}

function addSkillMetric(metric: MetricData, usage: UsageRowIndex, tracker: CumulativeTracker, times: TimeTexts): void {
  const cumulative = metric.aggregationTemporality === AggregationTemporality.CUMULATIVE;
  for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
    const values = pointValues(point.value);
    const start = times.start.of(point.startTime);
    const end = times.end.of(point.endTime);
    // Only a cumulative point needs its series' previous values, and so a key for them.
    const { delta, sinceMs } = cumulative
      ? tracker.delta(`${metric.descriptor.name}${JSON.stringify(sortedAttributes(point.attributes))}`, start, hrToMs(point.endTime), values)
      : { delta: values, sinceMs: undefined };
    if (allZero(delta)) continue;
    const row = rowFor(usage, point.attributes, sinceMs === undefined ? start : times.of(sinceMs), end);
    addDelta(row, metric.descriptor.name, point, delta, cumulative);
  }
}

/** A point's numbers in a fixed order: a sum's value, or a histogram's count, sum and bucket counts. */
function pointValues(value: number | Histogram): number[] {
  if (typeof value === 'number') return [value];
  const { counts } = value.buckets;
  const values = new Array<number>(2 + counts.length);
  values[0] = value.count;
  values[1] = value.sum ?? 0;
  for (let bucket = 0; bucket < counts.length; bucket++) values[2 + bucket] = counts[bucket]!;
  return values;
}

function allZero(values: readonly number[]): boolean {
  for (const value of values) if (value !== 0) return false;
  return true;
}

/** Where a histogram's bucket counts start in {@link pointValues}. */
const COUNTS = 2;

function addDelta(row: UsageRow, name: string, point: DataPoint<number | Histogram>, delta: readonly number[], cumulative: boolean): void {
  const first = delta[0] ?? 0;
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
      addLatency(row, point.value as Histogram, delta, cumulative);
      return;
    case RATING.name:
      row.ratingCount += first;
      row.ratingSum += delta[1] ?? 0;
      for (let star = 0; star < 5; star++) row.stars[star]! += delta[COUNTS + star] ?? 0;
  }
}

function addLatency(row: UsageRow, histogram: Histogram, delta: readonly number[], cumulative: boolean): void {
  row.latencySumMs += delta[1] ?? 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) row.latencyBuckets[bucket]! += delta[COUNTS + bucket] ?? 0;
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
  const row = usage.get(timestamp, overflow, skillId, userId, orgId, intervalStart);
  if (intervalStart < row.intervalStart) row.intervalStart = intervalStart;
  return row;
}

/** The first row of an identity, as {@link UsageRowIndex} makes it. */
function newRow(timestamp: string, overflow: boolean, skillId: string, userId: string | null, orgId: string | null, intervalStart: string): UsageRow {
  return emptyRow(skillId, userId, orgId, intervalStart, timestamp, overflow || skillId === OVERFLOW_SKILL_ID);
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
    // Literals, which V8 copies from one boilerplate: several times cheaper than new Array(n).fill(0).
    latencyBuckets: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    errors: [0, 0, 0, 0, 0, 0, 0],
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
