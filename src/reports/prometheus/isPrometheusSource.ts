import type { PrometheusSource } from './PrometheusSource.js';

/**
 * Whether a report's first argument is a Prometheus source rather than a database: by shape, so a
 * source made by another copy of the package is one too.
 */
export function isPrometheusSource(from: unknown): from is PrometheusSource {
  return (
    typeof from === 'object' &&
    from !== null &&
    typeof (from as PrometheusSource).instant === 'function' &&
    typeof (from as PrometheusSource).range === 'function' &&
    typeof (from as PrometheusSource).names === 'function'
  );
}
