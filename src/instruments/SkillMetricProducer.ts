import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  DataPointType,
  type CollectionResult,
  type DataPoint,
  type Histogram,
  type MetricData,
  type MetricProducer,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import type { HealthConfig } from '../config/types.js';
import type { HistogramState } from './HistogramState.js';
import { liveHealth } from './liveHealth.js';
import { EXECUTIONS, FAILURES, HEALTH, INSTALLS, LATENCY, METER_NAME, RATING, SUCCESSES, type MetricName } from './names.js';
import type { SeriesState } from './SeriesState.js';
import type { SkillRegistry } from './SkillRegistry.js';
import type { Clock } from './clock.js';
import { toHrTime } from './clock.js';
import { VERSION } from '../version.js';

const EMPTY_RESOURCE = resourceFromAttributes({});

/**
 * The instrumentation scope of the skill metrics. Every collection hands out this one object, so
 * the Prometheus backend can tell the skill metrics (a few known shapes with frozen attribute
 * sets) from the application's own by identity and serve them through its cached fast path.
 */
export const SKILL_SCOPE: ScopeMetrics['scope'] = Object.freeze({ name: METER_NAME, version: VERSION });

/**
 * Turns a {@link SkillRegistry} into OpenTelemetry metric data at collection time. Given to a
 * MetricReader as one of its `metricProducers`, it replaces per-call instrument recording: the hot
 * path only adds to plain numbers, and the attribute sets are built once per series.
 * Temporality is cumulative, which every backend here accepts (Grafana Cloud rejects delta).
 */
export class SkillMetricProducer implements MetricProducer {
  readonly #registry: SkillRegistry;
  readonly #health: HealthConfig;
  readonly #clock: Clock;

  constructor(registry: SkillRegistry, health: HealthConfig, clock: Clock) {
    this.#registry = registry;
    this.#health = health;
    this.#clock = clock;
  }

  async collect(): Promise<CollectionResult> {
    return {
      resourceMetrics: {
        resource: EMPTY_RESOURCE,
        scopeMetrics: [{ scope: SKILL_SCOPE, metrics: this.metrics(this.#clock.now()) }],
      },
      errors: [],
    };
  }

  /** The metric data as of `nowMs`. */
  metrics(nowMs: number): MetricData[] {
    const end = toHrTime(nowMs);
    return [...seriesMetrics([...this.#registry.allSeries()], end, AggregationTemporality.CUMULATIVE), this.healthMetric(nowMs)].filter(
      (metric) => metric.dataPoints.length > 0,
    );
  }

  /** The `toolweaver_skill_health_score` gauge as of `nowMs`: one point per skill with a score. */
  healthMetric(nowMs: number): MetricData {
    return gauge(HEALTH, this.#healthPoints(nowMs, toHrTime(nowMs)));
  }

  #healthPoints(nowMs: number, end: HrTime): DataPoint<number>[] {
    const points: DataPoint<number>[] = [];
    for (const skill of this.#registry.skills()) {
      const { score } = liveHealth(skill, nowMs, this.#health);
      if (score !== undefined) points.push(point(skill.base.attributes, end, end, score));
    }
    return points;
  }
}

/**
 * The counters and histograms of `series` as metric data: executions and successes for every
 * series, failures, installs, latency and ratings where there are any.
 */
export function seriesMetrics(series: readonly SeriesState[], end: HrTime, temporality: AggregationTemporality): MetricData[] {
  return [
    sum(EXECUTIONS, temporality, series.map((s) => point(s.attributes, s.startTime, end, s.executions))),
    sum(SUCCESSES, temporality, series.map((s) => point(s.attributes, s.startTime, end, s.successes))),
    sum(FAILURES, temporality, series.flatMap((s) => failurePoints(s, end))),
    sum(INSTALLS, temporality, series.filter((s) => s.installs > 0).map((s) => point(s.attributes, s.startTime, end, s.installs))),
    histogram(LATENCY, temporality, series.flatMap((s) => latencyPoints(s, end))),
    histogram(RATING, temporality, series.filter((s) => s.ratings.count > 0).map((s) => point(s.attributes, s.startTime, end, histogramValue(s.ratings)))),
  ];
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

function point<T>(attributes: Attributes, startTime: HrTime, endTime: HrTime, value: T): DataPoint<T> {
  return { attributes, startTime, endTime, value };
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

function gauge(name: MetricName, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: descriptor(name, ValueType.DOUBLE),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints,
  };
}
