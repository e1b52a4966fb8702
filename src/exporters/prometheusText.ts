import { DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';

/**
 * The pieces of the Prometheus text format as OpenTelemetry's PrometheusSerializer writes them
 * with the exporter's default options (no prefix, no timestamps). They must match it byte for
 * byte, which test/exporters/prometheusBody.test.ts checks against the installed serializer.
 */

/** HELP and UNIT text: backslashes and line feeds escaped (quotes stay as they are). */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value: non-strings as JSON, `undefined` as empty, then escaped, quotes included. */
export function escapeLabelValue(value: unknown): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : (JSON.stringify(value) as string);
  return escapeText(text).replace(/"/g, '\\"');
}

/** A metric or label name with every character outside `[a-zA-Z0-9_]` made `_`, runs of `_` made one. */
export function sanitizeName(name: string): string {
  return name.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

/** `key="value"` pairs of `attributes`, comma-separated, in the attributes' own key order. */
export function labelPairs(attributes: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const [key, value] of Object.entries(attributes)) {
    text += `${text === '' ? '' : ','}${sanitizeName(key)}="${escapeLabelValue(value)}"`;
  }
  return text;
}

/** A sample value: infinities as `+Inf`/`-Inf`, everything else (NaN too) as JavaScript prints it. */
export function sampleValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

/**
 * The name a metric is exposed under: sanitized, `_`-prefixed when it starts with a digit,
 * `_total` added to monotonic sums. `undefined` when nothing valid is left (the serializer drops
 * such a metric).
 */
export function exposedName(metric: MetricData): string | undefined {
  let name = sanitizeName(escapeText(metric.descriptor.name));
  if (name === '' || name === '_') return undefined;
  if (name[0] !== undefined && name[0] >= '0' && name[0] <= '9') name = `_${name}`;
  if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic && !name.endsWith('_total')) name += '_total';
  return name;
}

/** The Prometheus TYPE of a metric. */
export function exposedType(metric: MetricData): string {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? 'counter' : 'gauge';
    case DataPointType.GAUGE:
      return 'gauge';
    case DataPointType.HISTOGRAM:
      return 'histogram';
    default:
      return 'untyped';
  }
}

/** The HELP, UNIT (when there is a unit) and TYPE lines of a metric exposed as `name`. */
export function metadataLines(name: string, metric: MetricData): string {
  const { description, unit } = metric.descriptor;
  // `||`, not `??`: an empty description is "missing" too, as the stock serializer has it.
  const help = `# HELP ${name} ${escapeText(description || 'description missing')}\n`;
  const unitLine = unit ? `# UNIT ${name} ${escapeText(unit)}\n` : '';
  return `${help}${unitLine}# TYPE ${name} ${exposedType(metric)}\n`;
}
