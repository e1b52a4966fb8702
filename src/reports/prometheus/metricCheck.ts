import { MetricUnavailableError, ReportSourceError } from '../../core/errors.js';
import { ATTR, EXECUTIONS, LATENCY, RATING } from '../../instruments/names.js';
import { sqliteTime } from '../../store/schema.js';
import type { PrometheusSource } from './PrometheusSource.js';

/** Every metric of ours, as the store names it. */
const OURS = '{__name__=~"toolweaver_skill_.+"}';

/** The histograms whose classic `_bucket` series a report reads, by base name. */
const HISTOGRAMS = [LATENCY.name, RATING.name];

/**
 * Checks, in one request, that the store holds every metric in `needed` between `fromMs` and
 * `toMs` (with an org label when the report is narrowed to `orgId`), so a report that would read nothing says which metric is missing and why rather than
 * printing zeros: none of ours at all (nothing exported there), one missing (a View renamed or
 * dropped it), or a histogram without its `_bucket` series (an exponential-histogram View: the
 * store holds a native histogram, which the reports cannot split into our buckets).
 * Resolves with the names of ours the store holds in that time.
 * @throws {MetricUnavailableError} naming the first metric that is missing or unusable.
 */
export async function assertMetrics(
  source: PrometheusSource,
  needed: readonly string[],
  fromMs: number,
  toMs: number,
  orgId?: string,
): Promise<ReadonlySet<string>> {
  // A report of one org reads the series with an org label: only applications with user labels make them.
  const present = new Set(await source.names(orgId === undefined ? OURS : OURS.replace('}', `, ${ATTR.orgId}=~".+"}`), fromMs, toMs));
  const span = `between ${sqliteTime(fromMs)} and ${sqliteTime(toMs)} UTC`;
  if (present.size === 0 && orgId !== undefined) {
    throw new ReportSourceError(
      `${source.url} holds none of our metrics with an ${ATTR.orgId} label ${span}, so no report can be narrowed to org ${JSON.stringify(orgId)}: ` +
        'the applications label series with the org only with ANALYTICS_USER_LABELS=true (one series per user: docs/metrics.md), ' +
        'or use the SQLite source, which keeps the org of every call.',
    );
  }
  if (present.size === 0) {
    throw new MetricUnavailableError(
      EXECUTIONS.name,
      `${source.url} holds none of our metrics (toolweaver_skill_*) ${span}: no application exported to this store in that time, ` +
        'or a View renamed or dropped them. Check that the store scrapes the applications (or receives their OTLP), and the window.',
    );
  }
  for (const metric of needed) {
    if (present.has(metric)) continue;
    const histogram = HISTOGRAMS.find((name) => metric === `${name}_bucket`);
    if (histogram !== undefined && (present.has(histogram) || present.has(`${histogram}_count`))) {
      throw new MetricUnavailableError(
        metric,
        `${source.url} holds ${histogram} without its ${metric} series ${span}: a View gave it an exponential (native) histogram ` +
          'aggregation, whose buckets the reports cannot read. Keep the explicit-bucket aggregation on this metric (docs/backends.md#views).',
      );
    }
    throw new MetricUnavailableError(
      metric,
      `${source.url} holds no ${metric} ${span}, though it holds others of ours (${[...present].sort().slice(0, 4).join(', ')}): ` +
        'a View renamed or dropped it. The reports need it under this name: remove that View or exclude this metric from it (docs/backends.md#views).',
    );
  }
  return present;
}
