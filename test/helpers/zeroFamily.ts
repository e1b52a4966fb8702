import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { ERROR_TYPES } from '../../src/instruments/errorTypes.js';
import {
  ATTR,
  EXECUTIONS,
  FAILURES,
  INSTALLS,
  LATENCY,
  LATENCY_BOUNDARIES_MS,
  OUTCOME,
  RATING,
  RATING_BOUNDARIES,
  SUCCESSES,
} from '../../src/instruments/names.js';

/** Samples as Prometheus names them (`name{label="value",…}`, labels sorted), each with its value. */
export type Samples = Map<string, number>;

/** Our counters and histograms: the metrics whose series start at 0 (not the health gauge). */
export const ZERO_METRICS = [EXECUTIONS.name, SUCCESSES.name, FAILURES.name, INSTALLS.name, LATENCY.name, RATING.name] as const;

/** Labels a backend adds that say nothing about the series of a skill. */
const FOREIGN_LABELS = new Set(['job', 'instance', 'otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url']);
/** The labels of one variant of a series. */
const VARIANT_LABELS = new Set<string>([ATTR.errorType, ATTR.outcome, 'le']);

/** `name{labels}` with the labels sorted and the foreign ones left out. */
export function sampleKey(name: string, labels: Readonly<Record<string, unknown>>): string {
  const pairs = Object.entries(labels)
    .filter(([label]) => !FOREIGN_LABELS.has(label) && label !== '__name__')
    .map(([label, value]) => [label.replaceAll('.', '_'), String(value)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  return `${name}{${pairs.map(([label, value]) => `${label}="${value}"`).join(',')}}`;
}

/** The labels of a sample key. */
function labelsOf(key: string): Record<string, string> {
  const body = key.slice(key.indexOf('{') + 1, -1);
  return Object.fromEntries([...body.matchAll(/([^=,]+)="([^"]*)"/g)].map((match) => [match[1] as string, match[2] as string]));
}

/** Every sum and explicit-bucket histogram point of `collected` as Prometheus samples (`_bucket` cumulative, `_sum`, `_count`). */
export function metricSamples(collected: Map<string, MetricData>): Samples {
  const samples: Samples = new Map();
  for (const [name, metric] of collected) {
    for (const point of metric.dataPoints as DataPoint<unknown>[]) {
      if (typeof point.value === 'number') samples.set(sampleKey(name, point.attributes), point.value);
      else addHistogram(samples, name, point.attributes, point.value as Histogram);
    }
  }
  return samples;
}

function addHistogram(samples: Samples, name: string, labels: Readonly<Record<string, unknown>>, histogram: Histogram): void {
  let cumulative = 0;
  histogram.buckets.counts.forEach((count, index) => {
    cumulative += count;
    const le = index < histogram.buckets.boundaries.length ? String(histogram.buckets.boundaries[index]) : '+Inf';
    samples.set(sampleKey(`${name}_bucket`, { ...labels, le }), cumulative);
  });
  samples.set(sampleKey(`${name}_sum`, labels), histogram.sum ?? 0);
  samples.set(sampleKey(`${name}_count`, labels), histogram.count);
}

/** Parses the Prometheus text format of /metrics into samples (comments and foreign labels left out). */
export function textSamples(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([\w]+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    samples.set(sampleKey(match[1] as string, labels), Number(match[3]));
  }
  return samples;
}

/**
 * The samples of our counters and histograms (`names`, as queried) that belong to the series with
 * exactly `attributes`: its own points and those of its variants (error_type, outcome, le).
 */
export function familyOf(samples: Samples, attributes: Readonly<Record<string, string>>, names: readonly string[] = ZERO_METRICS): Samples {
  const wanted = sampleKey('', attributes);
  const family: Samples = new Map();
  for (const [key, value] of samples) {
    const name = key.slice(0, key.indexOf('{'));
    if (!names.some((metric) => name === metric || name.startsWith(`${metric}_`))) continue;
    const own = Object.fromEntries(Object.entries(labelsOf(key)).filter(([label]) => !VARIANT_LABELS.has(label)));
    if (sampleKey('', own) === wanted) family.set(key, value);
  }
  return family;
}

/** What a family holds: which parts of it a backend emits. */
export interface FamilyParts {
  /** The latency and rating histograms. @default true */
  readonly histograms?: boolean;
  /** Names as emitted, for a View that renames one. @default our names */
  readonly latencyName?: string;
  /** Metrics a View drops. @default none */
  readonly dropped?: readonly string[];
}

/** The samples of a series that nothing has been counted in yet: every counter, error type, outcome and bucket at 0. */
export function zeroFamily(attributes: Readonly<Record<string, string>>, parts: FamilyParts = {}): Samples {
  const { histograms = true, latencyName = LATENCY.name, dropped = [] } = parts;
  const samples: Samples = new Map();
  const kept = (name: string) => !dropped.includes(name);
  for (const metric of [EXECUTIONS, SUCCESSES, INSTALLS]) if (kept(metric.name)) samples.set(sampleKey(metric.name, attributes), 0);
  if (kept(FAILURES.name))
    for (const type of ERROR_TYPES) samples.set(sampleKey(FAILURES.name, { ...attributes, [ATTR.errorType]: type }), 0);
  if (!histograms) return samples;
  if (kept(LATENCY.name))
    for (const outcome of Object.values(OUTCOME))
      addHistogram(samples, latencyName, { ...attributes, [ATTR.outcome]: outcome }, histogramOf([], LATENCY_BOUNDARIES_MS));
  if (kept(RATING.name)) addHistogram(samples, RATING.name, attributes, histogramOf([], RATING_BOUNDARIES));
  return samples;
}

/** The histogram `values` make over `boundaries` (upper-inclusive buckets, as OpenTelemetry's). */
export function histogramOf(values: readonly number[], boundaries: readonly number[]): Histogram {
  const counts = new Array<number>(boundaries.length + 1).fill(0);
  for (const value of values) {
    const index = boundaries.findIndex((bound) => value <= bound);
    counts[index === -1 ? boundaries.length : index]! += 1;
  }
  return {
    buckets: { boundaries: [...boundaries], counts },
    count: values.length,
    sum: values.reduce((total, value) => total + value, 0),
  };
}

/** Sets in `samples` what the latency (or rating) histogram of `labels` holds after `values`. */
export function setHistogram(
  samples: Samples,
  name: string,
  labels: Readonly<Record<string, string>>,
  values: readonly number[],
  boundaries: readonly number[],
): void {
  addHistogram(samples, name, labels, histogramOf(values, boundaries));
}

/** The entries of `samples` as sorted lines, for a readable deepEqual. */
export function lines(samples: Samples): string[] {
  return [...samples].map(([key, value]) => `${key} ${value}`).sort();
}
