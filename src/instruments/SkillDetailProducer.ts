import { AggregationTemporality, type CollectionResult, type MetricData, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { toHrTime } from './clock.js';
import type { IdentityStore } from './IdentityStore.js';
import { SKILL_SCOPE, seriesMetrics } from './SkillMetricProducer.js';

const EMPTY_RESOURCE = resourceFromAttributes({});

/**
 * How often the health gauge goes to the SQLite backend: every 5 minutes, a third of the default
 * 15-minute health window, so a history panel sees each change without a row per skill per export.
 */
export const HEALTH_SAMPLE_MS = 5 * 60_000;

/** Where the detail producer takes the health gauge from, and how often. */
export interface HealthSampling {
  /** The `toolweaver_skill_health_score` gauge as of a time: SkillMetricProducer.healthMetric. */
  readonly metric: (nowMs: number) => MetricData;
  /** Least time between two samples. @default HEALTH_SAMPLE_MS */
  readonly intervalMs?: number;
}

/**
 * The per-user, per-org skill data of one export interval, as delta metric data: the source of the
 * SQLite backend's skill_usage rows. Each collection drains the interval, so give this producer to
 * exactly one reader, whose exporter keeps what it could not write yet. With `health`, it also
 * samples the live health gauge, which the exporter stores as a generic metric (metric_points),
 * so dashboards on SQLite chart the same score Prometheus scrapes.
 */
export class SkillDetailProducer implements MetricProducer {
  readonly #store: IdentityStore;
  readonly #health: HealthSampling | undefined;
  #lastHealthSampleMs: number | undefined;

  constructor(store: IdentityStore, health?: HealthSampling) {
    this.#store = store;
    this.#health = health;
  }

  async collect(): Promise<CollectionResult> {
    const now = this.#store.clock.now();
    const { series } = this.#store.drain(now);
    const metrics = seriesMetrics(series, toHrTime(now), AggregationTemporality.DELTA);
    const health = this.#healthSample(now);
    if (health !== undefined) metrics.push(health);
    return {
      resourceMetrics: {
        resource: EMPTY_RESOURCE,
        scopeMetrics: [{ scope: SKILL_SCOPE, metrics: metrics.filter((metric) => metric.dataPoints.length > 0) }],
      },
      errors: [],
    };
  }

  #healthSample(nowMs: number): MetricData | undefined {
    if (this.#health === undefined) return undefined;
    const interval = this.#health.intervalMs ?? HEALTH_SAMPLE_MS;
    if (this.#lastHealthSampleMs !== undefined && nowMs - this.#lastHealthSampleMs < interval) return undefined;
    const metric = this.#health.metric(nowMs);
    // A sample without any scored skill does not count, so the first score is stored at once.
    if (metric.dataPoints.length > 0) this.#lastHealthSampleMs = nowMs;
    return metric;
  }
}
