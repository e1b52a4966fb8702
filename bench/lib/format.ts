import type { Timing } from './measure.js';
import type { BenchRow, ScenarioResult } from './scenario.js';

/** A time in the scenario's unit: ms with two decimals, ns per call whole. */
export function formatTime(ms: number, unit: ScenarioResult['unit']): string {
  return unit === 'ns per call' ? ms.toFixed(0) : ms.toFixed(2);
}

/** Median (min-max) of a timing in the scenario's unit. */
export function formatTiming(timing: Timing, unit: ScenarioResult['unit']): string {
  return `${formatTime(timing.medianMs, unit)} (${formatTime(timing.minMs, unit)}-${formatTime(timing.maxMs, unit)})`;
}

/** A ratio with enough digits to compare against a target near 1. */
export function formatRatio(ratio: number): string {
  return Math.abs(ratio) >= 10 ? ratio.toFixed(1) : ratio.toFixed(2);
}

/** yes, **no**, or - for a figure without a target. */
export function formatMet(met: BenchRow['met']): string {
  if (met === undefined) return '-';
  return met ? 'yes' : '**no**';
}
