import type { DataPoint, CollectionResult, MetricProducer } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { toHrTime } from './clock.js';
import type { DetailLinks } from './DetailLinks.js';
import { DetailScopeMetrics, type DrainedSeries } from './DetailScopeMetrics.js';
import { liveHealth } from './liveHealth.js';
import { healthGauge, point } from './seriesData.js';

const EMPTY_RESOURCE = resourceFromAttributes({});

/**
 * How often the health gauge goes to the SQLite backend: every 5 minutes, a third of the default
 * 15-minute health window, so a history panel sees each change without a row per skill per export.
 */
export const HEALTH_SAMPLE_MS = 5 * 60_000;

/**
 * The SQLite reader's side channel: the exact per-user, per-org record of each call since the last
 * export, from every recorder linked to the reader (see DetailLinks), as delta metric data. Each
 * collection drains the records, so it belongs to exactly one reader, whose exporter keeps what
 * it could not write yet. Every `healthSampleMs` it also samples the live health score, which
 * the exporter stores as a generic metric (metric_points) for the history panels.
 */
export class SkillDetailProducer implements MetricProducer {
  readonly #links: DetailLinks;
  readonly #healthSampleMs: number;
  #lastHealthSampleMs: number | undefined;

  constructor(links: DetailLinks, healthSampleMs: number = HEALTH_SAMPLE_MS) {
    this.#links = links;
    this.#healthSampleMs = healthSampleMs;
  }

  async collect(): Promise<CollectionResult> {
    // Synchronous to its end: a probe (DetailLinks.probe) is still marked when it looks.
    if (this.#links.probing) return { resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: [] }, errors: [] };
    return this.collectNow();
  }

  /**
   * Drains the records now, synchronously: what {@link SkillDetailProducer.collect} hands out, one
   * {@link DetailScopeMetrics} holding the drained series as they are (no object per data point).
   */
  collectNow(): CollectionResult {
    const drained: DrainedSeries[] = [];
    const health: DataPoint<number>[] = [];
    let sampledAt: number | undefined;
    for (const [recorder, store] of this.#links.entries()) {
      const now = store.clock.now();
      const { series, callRatings } = store.drain(now);
      drained.push({ series, endMs: now, callRatings });
      if (!this.#healthDue(now)) continue;
      sampledAt = now;
      const end = toHrTime(now);
      for (const skill of recorder.registry.skills()) {
        const { score } = liveHealth(skill, now, recorder.options.health);
        if (score !== undefined) health.push(point(skill.base.attributes, end, end, score));
      }
    }
    // A sample without any scored skill does not count, so the first score is stored at once.
    if (health.length > 0) this.#lastHealthSampleMs = sampledAt;
    const scope = new DetailScopeMetrics(drained, health.length > 0 ? healthGauge(health) : undefined);
    return { resourceMetrics: { resource: EMPTY_RESOURCE, scopeMetrics: [scope] }, errors: [] };
  }

  #healthDue(nowMs: number): boolean {
    return this.#lastHealthSampleMs === undefined || nowMs - this.#lastHealthSampleMs >= this.#healthSampleMs;
  }
}
