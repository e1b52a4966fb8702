import type { FlatMetric, OtlpExportRequest } from './otlpReceiver.js';
import type { Labels, VectorResult } from './prometheusServer.js';

/**
 * Every backend's metrics as the lines Prometheus would show: `name{label="value",...} value`, labels
 * sorted, histograms as cumulative `_bucket{le=...}`, `_count` and `_sum`. One format lets a cell
 * compare what Prometheus, OTLP and SQLite's generic store hold with one expected list, whole.
 */
export function sampleLine(name: string, labels: Readonly<Record<string, string>>, value: number): string {
  const text = Object.keys(labels)
    .sort()
    .map((key) => `${key}="${labels[key]}"`)
    .join(',');
  return `${name}{${text}} ${value}`;
}

/** The lines of one explicit-bucket histogram point; `counts` has one more entry than `boundaries`. */
export function histogramLines(
  name: string,
  labels: Readonly<Record<string, string>>,
  boundaries: readonly number[],
  counts: readonly number[],
  sum: number,
): string[] {
  let cumulative = 0;
  const buckets = counts.map((count, index) => {
    cumulative += count;
    const le = index < boundaries.length ? String(boundaries[index]) : '+Inf';
    return sampleLine(`${name}_bucket`, { ...labels, le }, cumulative);
  });
  return [...buckets, sampleLine(`${name}_count`, labels, cumulative), sampleLine(`${name}_sum`, labels, sum)];
}

/** Labels Prometheus or the exporter add that say where a sample came from, not what it counts. */
const ORIGIN_LABELS = new Set(['__name__', 'job', 'instance', 'otel_scope_name', 'otel_scope_version']);
/** Series Prometheus makes itself, and the exporter's resource series. */
const SYNTHETIC_NAMES = new Set([
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'scrape_samples_post_metric_relabeling',
  'scrape_series_added',
  'target_info',
]);

/** The samples a Prometheus query of every series holds for each `instance`, sorted. */
export function prometheusSamplesByInstance(result: VectorResult): Map<string, string[]> {
  const byInstance = new Map<string, string[]>();
  for (const { metric, value } of result.result) {
    const name = metric['__name__'] ?? '';
    if (SYNTHETIC_NAMES.has(name)) continue;
    const instance = metric['instance'] ?? '';
    const lines = byInstance.get(instance) ?? [];
    lines.push(sampleLine(name, withoutOrigin(metric), value.value));
    byInstance.set(instance, lines);
  }
  for (const lines of byInstance.values()) lines.sort();
  return byInstance;
}

function withoutOrigin(labels: Labels): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => !ORIGIN_LABELS.has(key)));
}

/**
 * The samples of the metrics of scope `scopeName` in one OTLP export, sorted. Exponential
 * histograms have no such lines (Prometheus has none either); read them with {@link exponentialPoints}.
 */
export function otlpSamples(metrics: readonly FlatMetric[], scopeName: string): string[] {
  const lines: string[] = [];
  for (const metric of metrics) {
    if (metric.scopeName !== scopeName) continue;
    for (const point of metric.points) {
      const labels = Object.fromEntries(Object.entries(point.attributes).map(([key, value]) => [key, String(value)]));
      if (metric.kind === 'sum' || metric.kind === 'gauge') lines.push(sampleLine(metric.name, labels, point.value ?? NaN));
      else if (metric.kind === 'histogram')
        lines.push(...histogramLines(metric.name, labels, point.explicitBounds ?? [], point.bucketCounts ?? [], point.sum ?? NaN));
    }
  }
  return lines.sort();
}

/** One exponential histogram point as OTLP carries it, int64 fields as numbers. */
export interface ExponentialPoint {
  attributes: Record<string, string>;
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  scale: number;
  zeroCount: number;
  /** Count of each non-empty positive bucket by its index: bucket i holds (base^i, base^(i+1)], base = 2^(2^-scale). */
  positive: Record<number, number>;
}

/** The decoded fields of an OTLP ExponentialHistogramDataPoint that flattenMetrics leaves out. */
interface RawExponentialPoint {
  attributes: { key: string; value: { stringValue?: string } | null }[];
  count: string;
  sum?: number;
  min?: number;
  max?: number;
  scale: number;
  zeroCount: string;
  positive: { offset: number; bucketCounts: string[] } | null;
}

/** The points of exponential histogram `name` in one OTLP export (empty when it is absent or of another kind). */
export function exponentialPoints(request: OtlpExportRequest, name: string): ExponentialPoint[] {
  const metrics = request.resourceMetrics.flatMap((resource) => resource.scopeMetrics.flatMap((scope) => scope.metrics));
  return metrics
    .filter((metric) => metric.name === name && metric.exponentialHistogram !== undefined)
    .flatMap((metric) => metric.exponentialHistogram!.dataPoints as unknown as RawExponentialPoint[])
    .map((point) => {
      const positive: Record<number, number> = {};
      point.positive?.bucketCounts.forEach((count, index) => {
        if (Number(count) > 0) positive[point.positive!.offset + index] = Number(count);
      });
      return {
        attributes: Object.fromEntries(point.attributes.map(({ key, value }) => [key, value?.stringValue ?? ''])),
        count: Number(point.count),
        sum: point.sum,
        min: point.min,
        max: point.max,
        scale: point.scale,
        zeroCount: Number(point.zeroCount),
        positive,
      };
    });
}
