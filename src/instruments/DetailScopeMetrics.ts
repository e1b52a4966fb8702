import type { MetricData, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import { toHrTime } from './clock.js';
import { METER_NAME } from './names.js';
import { seriesMetrics } from './seriesData.js';
import type { SeriesList } from './IdentityStore.js';
import type { CallRating } from './callRatings.js';
import { VERSION } from '../core/version.js';

/**
 * The scope of the exact record. Only the SQLite reader's detail producer hands it out, so no
 * metric of the application's (or ours, through a View) is ever taken for it.
 */
export const DETAIL_SCOPE: ScopeMetrics['scope'] = Object.freeze({ name: METER_NAME, version: VERSION });

/** The series one store handed over at a collection, and when that collection was. */
export interface DrainedSeries {
  readonly series: SeriesList;
  /** The collection's time, epoch ms: the end of every series that has no end of its own. */
  readonly endMs: number;
  /** The ratings of calls it handed over, which only the SQLite exporter writes (skill_call_rating). @default none */
  readonly callRatings?: readonly CallRating[];
}

/**
 * The exact record of one collection as the SQLite reader's detail producer hands it out: the
 * drained series themselves, which the SQLite exporter packs for its writer thread without an
 * object per data point, and the health samples. Read as OpenTelemetry data (`metrics`), it is the
 * same record as delta sums and histograms, built on the first read, without the ratings of calls,
 * which replace one another and so are no delta of a histogram.
 */
export class DetailScopeMetrics implements ScopeMetrics {
  readonly scope: ScopeMetrics['scope'] = DETAIL_SCOPE;
  readonly drained: readonly DrainedSeries[];
  /** The health gauge, when a sample was due; the exporter stores it as generic points. */
  readonly health: MetricData | undefined;
  #metrics: MetricData[] | undefined;

  constructor(drained: readonly DrainedSeries[], health: MetricData | undefined) {
    this.drained = drained;
    this.health = health;
  }

  get metrics(): MetricData[] {
    this.#metrics ??= [
      ...this.drained.flatMap(({ series, endMs }) => seriesMetrics([...series.values()], toHrTime(endMs))),
      ...(this.health === undefined ? [] : [this.health]),
    ].filter((metric) => metric.dataPoints.length > 0);
    return this.#metrics;
  }
}
