import type { Timing } from './measure.js';

/** One row of a scenario's results: what was measured, against which baseline in the same run. */
export interface BenchRow {
  readonly name: string;
  readonly subject: Timing;
  readonly baselineName: string;
  readonly baseline: Timing;
  /** The figure the target is about, e.g. `baseline / subject` (higher is better) or the reverse. */
  readonly ratio: number;
  /** What the ratio means, e.g. 'x faster than the plain GROUP BY'. */
  readonly ratioMeaning: string;
  /** The target, e.g. '>= 10 and subject < 100 ms', or 'reported' for a figure without one. */
  readonly target: string;
  /** Whether the target is met; undefined for a row that is only reported. */
  readonly met: boolean | undefined;
}

/** A measured quantity that is not a time (a heap size, a count), with its baseline from the same run. */
export interface BenchFigure {
  readonly name: string;
  /** The value with its unit, e.g. '1.2 MiB'. */
  readonly value: string;
  readonly baselineName: string;
  readonly baseline: string;
  readonly ratio: number;
  readonly ratioMeaning: string;
  readonly target: string;
  /** Whether the target is met; undefined for a figure that is only reported. */
  readonly met: boolean | undefined;
}

/** What a scenario process prints as its last stdout line (JSON). */
export interface ScenarioResult {
  readonly scenario: string;
  readonly setup: Record<string, string | number>;
  readonly rows: BenchRow[];
  /** The unit of the rows' times. @default 'ms' */
  readonly unit?: 'ms' | 'ns per call';
  /** Figures that are not times, in a table of their own. @default [] */
  readonly figures?: BenchFigure[];
  /** What a reader needs to read the rows right, e.g. which of two modes users normally get. */
  readonly notes?: readonly string[];
}

/**
 * A row whose ratio is `subject / baseline` of the medians (lower is better): judged against
 * `limit` (`<= limit`) when one is given, else only reported.
 */
export function costRatioRow(
  name: string,
  subject: Timing,
  baselineName: string,
  baseline: Timing,
  ratioMeaning: string,
  limit?: number,
): BenchRow {
  const ratio = subject.medianMs / baseline.medianMs;
  return {
    name,
    subject,
    baselineName,
    baseline,
    ratio,
    ratioMeaning,
    target: limit === undefined ? 'reported' : `<= ${limit}`,
    met: limit === undefined ? undefined : ratio <= limit,
  };
}

/** True when the bench runs in quick mode (CI): small data, few runs, no targets asserted. */
export function quickMode(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--quick') || process.env['BENCH_QUICK'] === '1';
}
