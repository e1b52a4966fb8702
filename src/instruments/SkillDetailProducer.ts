import { AggregationTemporality, type CollectionResult, type MetricProducer } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { VERSION } from '../version.js';
import { toHrTime } from './clock.js';
import type { IdentityStore } from './IdentityStore.js';
import { METER_NAME } from './names.js';
import { seriesMetrics } from './SkillMetricProducer.js';

const EMPTY_RESOURCE = resourceFromAttributes({});

/**
 * The per-user, per-org skill data of one export interval, as delta metric data: the source of the
 * SQLite backend's skill_usage rows. Each collection drains the interval, so give this producer to
 * exactly one reader, whose exporter keeps what it could not write yet.
 */
export class SkillDetailProducer implements MetricProducer {
  readonly #store: IdentityStore;

  constructor(store: IdentityStore) {
    this.#store = store;
  }

  async collect(): Promise<CollectionResult> {
    const now = this.#store.clock.now();
    const { series } = this.#store.drain(now);
    return {
      resourceMetrics: {
        resource: EMPTY_RESOURCE,
        scopeMetrics: [
          {
            scope: { name: METER_NAME, version: VERSION },
            metrics: seriesMetrics(series, toHrTime(now), AggregationTemporality.DELTA).filter((metric) => metric.dataPoints.length > 0),
          },
        ],
      },
      errors: [],
    };
  }
}
