import type { HrTime } from '@opentelemetry/api';

/**
 * Where time comes from. Latency is measured on `monotonic`, timestamps on `now`. Inject one to
 * replay or backfill traffic with known times (the demo's simulated week, deterministic tests).
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds. */
  now(): number;
  /** A monotonic reading in milliseconds, for durations. */
  monotonic(): number;
}

/** The process clocks, read at each call (so fake timers in tests apply). */
export const SYSTEM_CLOCK: Clock = Object.freeze({
  now: () => Date.now(),
  monotonic: () => performance.now(),
});

/** Epoch milliseconds as OpenTelemetry's [seconds, nanoseconds]. */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  return [seconds, Math.round((epochMs - seconds * 1000) * 1e6)];
}
