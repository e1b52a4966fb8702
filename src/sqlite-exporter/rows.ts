import type { CallRating } from '../instruments/callRatings.js';
import type { CallTotals, StarCounts } from '../instruments/perCallColumns.js';

/**
 * One skill_usage row: the activity of one skill, user, org and agent over one export interval. Its
 * totals are those of the per-call columns registry, field for field ({@link CallTotals}).
 */
export interface UsageRow extends CallTotals {
  skillId: string;
  userId: string | null;
  orgId: string | null;
  /** The agent of the calls, null for none ('' in the tables). */
  agentName: string | null;
  /** End of the interval, SQLite UTC text. */
  timestamp: string;
  /** Start of the interval, SQLite UTC text. */
  intervalStart: string;
  latencyMinMs: number | null;
  latencyMaxMs: number | null;
  /** Ratings per star, in STAR_COLUMNS order; skill_metrics keeps them, skill_usage does not. */
  stars: StarCounts;
  /** The row folds users or skills past a limit. */
  overflow: boolean;
}

/** One data point of any other metric, for metric_series and metric_points. */
export interface GenericPoint {
  name: string;
  description: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram' | 'exponential_histogram';
  temporality: 'cumulative' | 'delta';
  monotonic: boolean | null;
  scopeName: string;
  scopeVersion: string;
  /** The attributes as JSON with sorted keys: the series identity. */
  attributes: string;
  startTime: string;
  timestamp: string;
  value: number | null;
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  /** JSON array of explicit bucket bounds. */
  bounds: string | null;
  /** JSON array of per-bucket counts (exponential histograms: JSON of scale, zero count, positive and negative buckets). */
  bucketCounts: string | null;
}

/** What one export writes. */
export interface MappedExport {
  usage: UsageRow[];
  points: GenericPoint[];
  /** The ratings of calls, each the latest of its call and user in the export. @default none */
  callRatings?: CallRating[];
}

/** A row with nothing counted yet. */
export function emptyRow(
  skillId: string,
  userId: string | null,
  orgId: string | null,
  intervalStart: string,
  timestamp: string,
  overflow: boolean,
  agentName: string | null = null,
): UsageRow {
  return {
    skillId,
    userId,
    orgId,
    agentName,
    timestamp,
    intervalStart,
    executions: 0,
    successes: 0,
    failures: 0,
    latencySumMs: 0,
    latencyMinMs: null,
    latencyMaxMs: null,
    // Literals, which V8 copies from one boilerplate: several times cheaper than new Array(n).fill(0).
    // Typed as tuples of the registry's lengths: a bucket or error type added stops these compiling.
    latencyBuckets: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    errors: [0, 0, 0, 0, 0, 0, 0],
    ratingCount: 0,
    ratingSum: 0,
    stars: [0, 0, 0, 0, 0],
    installs: 0,
    overflow,
  };
}
