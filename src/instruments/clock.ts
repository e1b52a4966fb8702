import type { HrTime } from '@opentelemetry/api';

/** Epoch milliseconds as OpenTelemetry's [seconds, nanoseconds]. */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}
