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
import { ATTR, EXECUTIONS, FAILURES, HEALTH, INSTALLS, LATENCY, LATENCY_BOUNDARIES_MS, METER_NAME, RATING, SUCCESSES } from '../instruments/names.js';
import { DETAIL_SCOPE } from '../instruments/SkillDetailProducer.js';
import { emptyRow, type GenericPoint, type MappedExport, type UsageRow } from './rows.js';
import { ERROR_COLUMNS, OVERFLOW_SKILL_ID, sqliteTime } from './schema.js';
import { UsageRowIndex } from './UsageRowIndex.js';

/** Our metrics under their own names: their exact counterpart is the detail record, so the Meter's copy is not stored again. */
const OUR_METRICS = new Set([EXECUTIONS.name, SUCCESSES.name, FAILURES.name, INSTALLS.name, LATENCY.name, RATING.name, HEALTH.name]);
const BUCKETS = LATENCY_BOUNDARIES_MS.length + 1;

/** A metric that could not be stored, and why; the exporter says so once per metric and reason. */
export interface SkippedMetric {
  readonly name: string;
  readonly reason: string;
}

/**
 * Maps one export to rows. The exact record (the detail producer's scope, delta) becomes one
 * skill_usage row per skill, user and org; the health samples and every metric that is not ours
 * (the application's, or ours renamed by a View) become generic points. Our metrics as the Meter
 * reports them are left out: Views shape those for the other backends, while SQLite keeps the
 * exact record. A metric of a shape this version does not know is stored as far as it can be and
 * named in `skipped`. Pure.
 */
export function mapExport(metrics: ResourceMetrics): MappedExport & { skipped: SkippedMetric[] } {
  const usage = new UsageRowIndex(newRow);
  const points: GenericPoint[] = [];
  const skipped: SkippedMetric[] = [];
  const times = new TimeTexts();
  for (const scope of metrics.scopeMetrics) {
    const detail = scope.scope === DETAIL_SCOPE;
    for (const metric of scope.metrics) {
      if (detail && metric.descriptor.name !== HEALTH.name) addSkillMetric(metric, usage, times);
      else if (detail || scope.scope.name !== METER_NAME || !OUR_METRICS.has(metric.descriptor.name)) {
        points.push(...genericPoints(metric, scope.scope.name, scope.scope.version ?? '', skipped));
      }
    }
  }
  return { usage: usage.rows().filter(hasActivity), points, skipped };
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

/** Adds one metric of the exact record (delta points of our known shapes) to the usage rows. */
function addSkillMetric(metric: MetricData, usage: UsageRowIndex, times: TimeTexts): void {
  for (const point of metric.dataPoints as DataPoint<number | Histogram>[]) {
    const values = pointValues(point.value);
    if (allZero(values)) continue;
    const row = rowFor(usage, point.attributes, times.start.of(point.startTime), times.end.of(point.endTime));
    addDelta(row, metric.descriptor.name, point, values);
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

function addDelta(row: UsageRow, name: string, point: DataPoint<number | Histogram>, delta: readonly number[]): void {
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
      addLatency(row, point.value as Histogram, delta);
      return;
    case RATING.name:
      row.ratingCount += first;
      row.ratingSum += delta[1] ?? 0;
      for (let star = 0; star < 5; star++) row.stars[star]! += delta[COUNTS + star] ?? 0;
  }
}

function addLatency(row: UsageRow, histogram: Histogram, delta: readonly number[]): void {
  row.latencySumMs += delta[1] ?? 0;
  for (let bucket = 0; bucket < BUCKETS; bucket++) row.latencyBuckets[bucket]! += delta[COUNTS + bucket] ?? 0;
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

function hasActivity(row: UsageRow): boolean {
  return row.executions > 0 || row.ratingCount > 0 || row.installs > 0;
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
  if (unreadable > 0) skipped.push({ name: descriptor.name, reason: `${unreadable} of its ${type} points have no value this version can read` });
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
    bucketCounts: JSON.stringify({ scale: exponential.scale, zeroCount: exponential.zeroCount, positive: exponential.positive, negative: exponential.negative }),
  };
}

function sortedAttributes(attributes: Attributes): Attributes {
  return Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function hrToMs([seconds, nanos]: HrTime): number {
  return seconds * 1000 + nanos / 1e6;
}
