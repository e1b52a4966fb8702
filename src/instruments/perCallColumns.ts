import { ERROR_TYPES } from './errorTypes.js';
import { LATENCY_BOUNDARIES_MS, RATING_BOUNDARIES, type LatencyBoundaries, type RatingBoundaries } from './names.js';

/**
 * The per-call columns: what one skill_usage row counts of a skill's calls, ratings and installs,
 * and the SQLite column each count is stored in. The one registry of them: the schema's CREATE
 * TABLEs, the row the exporter maps, its bind order, the aggregates' column lists, the reports' and
 * Grafana's SQL all derive from it. The bucket and error columns follow LATENCY_BOUNDARIES_MS,
 * ERROR_TYPES and RATING_BOUNDARIES, so adding a bucket or an error type there is the one edit; the
 * count tuples' types grow with them, and every array literal spelled at the old length stops compiling.
 */

/** `2.5` → `2_5`: a bound as it reads in a column name. */
type Underscored<S extends string> = S extends `${infer Head}.${infer Tail}` ? `${Head}_${Underscored<Tail>}` : S;

type BucketColumnsOf<Bounds extends readonly number[]> = { readonly [K in keyof Bounds]: `lat_le_${Underscored<`${Bounds[K]}`>}` };
type ErrorColumnsOf<Types extends readonly string[]> = { readonly [K in keyof Types]: `${Types[K]}_count` };
type StarColumnsOf<Stars extends readonly number[]> = { readonly [K in keyof Stars]: `stars_${Stars[K]}` };

/** The latency bucket columns, in LATENCY_BOUNDARIES_MS order, then +Inf: `lat_le_1`, `lat_le_2_5`, … `lat_le_inf`. */
export type LatencyBucketColumns = readonly [...BucketColumnsOf<LatencyBoundaries>, 'lat_le_inf'];
/** The failure columns, in ERROR_TYPES order: `timeout_count`, … `internal_count`. */
export type ErrorColumns = ErrorColumnsOf<typeof ERROR_TYPES>;
/** The rating columns of skill_metrics, one per star of RATING_BOUNDARIES: `stars_1` … `stars_5`. */
export type StarColumns = StarColumnsOf<RatingBoundaries>;

/** One count per column of `Columns`: a tuple of its length, so an array of another length does not compile. */
export type CountsOf<Columns extends readonly string[]> = { -readonly [K in keyof Columns]: number };

/** Latency bucket column of a bound: `lat_le_2_5` for 2.5 ms. */
const bucketColumn = (bound: number | 'inf'): string => `lat_le_${String(bound).replace('.', '_')}`;

/** The latency bucket columns: {@link LatencyBucketColumns}. */
export const LATENCY_BUCKET_COLUMNS = Object.freeze([
  ...LATENCY_BOUNDARIES_MS.map(bucketColumn),
  bucketColumn('inf'),
]) as LatencyBucketColumns;

/** The failure count columns: {@link ErrorColumns}. */
export const ERROR_COLUMNS = Object.freeze(ERROR_TYPES.map((type) => `${type}_count`)) as unknown as ErrorColumns;

/** The per-star rating columns of skill_metrics: {@link StarColumns}. */
export const STAR_COLUMNS = Object.freeze(RATING_BOUNDARIES.map((star) => `stars_${star}`)) as unknown as StarColumns;

/**
 * The additive totals of a row's calls, ratings and installs, field by field in the order of their
 * columns in the schema: each field names its column, or its columns for a count per bucket or
 * type. skill_usage, skill_usage_daily, skill_usage_hourly and skill_usage_by_day store them all.
 */
export const CALL_TOTALS = Object.freeze({
  /** Calls that finished. */
  executions: 'execution_count',
  successes: 'success_count',
  failures: 'failure_count',
  /** Their durations added up, ms: the one REAL total. */
  latencySumMs: 'latency_sum_ms',
  /** Calls per latency bucket over LATENCY_BOUNDARIES_MS, +Inf last (not cumulative). */
  latencyBuckets: LATENCY_BUCKET_COLUMNS,
  /** Failures per type, in ERROR_TYPES order. */
  errors: ERROR_COLUMNS,
  ratingCount: 'rating_count',
  /** The stars of those ratings added up. */
  ratingSum: 'rating_sum',
  installs: 'install_count',
} as const);

/** A field of {@link CALL_TOTALS}. */
export type CallTotalField = keyof typeof CALL_TOTALS;

/** A field of {@link CALL_TOTALS} stored in one column. */
export type ScalarTotalField = { [F in CallTotalField]: (typeof CALL_TOTALS)[F] extends string ? F : never }[CallTotalField];

/** A column of {@link CALL_TOTALS}. */
export type CallTotalColumn = {
  [F in CallTotalField]: (typeof CALL_TOTALS)[F] extends readonly (infer C)[] ? C : (typeof CALL_TOTALS)[F];
}[CallTotalField];

/** The totals themselves: a number per one-column field, a tuple of counts per many-column field. */
export type CallTotals = {
  -readonly [F in CallTotalField]: (typeof CALL_TOTALS)[F] extends readonly string[] ? CountsOf<(typeof CALL_TOTALS)[F]> : number;
};

/** The per-star rating counts of a row: a tuple of {@link STAR_COLUMNS}' length. */
export type StarCounts = CountsOf<StarColumns>;

const FIELDS = Object.freeze(Object.keys(CALL_TOTALS) as CallTotalField[]);

/** Every column of {@link CALL_TOTALS}, in schema order. */
export const CALL_TOTAL_COLUMNS: readonly CallTotalColumn[] = Object.freeze(
  FIELDS.flatMap((field): CallTotalColumn[] => [CALL_TOTALS[field]].flat()),
);

/** The columns stored as REAL; every other total is an INTEGER count. */
export const REAL_TOTAL_COLUMNS: ReadonlySet<string> = new Set<CallTotalColumn>([CALL_TOTALS.latencySumMs]);

/** The SQLite type of a total's column. */
export function totalColumnType(column: string): 'REAL' | 'INTEGER' {
  return REAL_TOTAL_COLUMNS.has(column) ? 'REAL' : 'INTEGER';
}

/** The columns of `fields`, in that order: for tables that keep only some of the totals. */
export function columnsOf(fields: readonly ScalarTotalField[]): CallTotalColumn[] {
  return fields.map((field) => CALL_TOTALS[field]);
}

/**
 * Puts the totals of `row` into `values` from `at`, in {@link CALL_TOTAL_COLUMNS} order, and
 * returns the index after them: the bind order of every statement that writes all the totals.
 */
export function putTotals(row: CallTotals, values: unknown[], at: number): number {
  let index = at;
  for (const field of FIELDS) {
    const value = row[field];
    if (typeof value === 'number') values[index++] = value;
    else for (const count of value) values[index++] = count;
  }
  return index;
}

/** Adds the totals of `row` into `totals`, in {@link CALL_TOTAL_COLUMNS} order. */
export function addTotalsInto(totals: number[], row: CallTotals): void {
  let index = 0;
  for (const field of FIELDS) {
    const value = row[field];
    if (typeof value === 'number') totals[index++]! += value;
    else for (const count of value) totals[index++]! += count;
  }
}

/** Adds the totals of `row` into those of `target`, field by field. */
export function addTotals(target: CallTotals, row: CallTotals): void {
  for (const field of FIELDS) {
    const value = row[field];
    if (typeof value === 'number') (target[field] as number) += value;
    else {
      const counts = target[field] as number[];
      for (let i = 0; i < value.length; i++) counts[i]! += value[i]!;
    }
  }
}
