import { ERROR_TYPES, type ErrorType } from '../../instruments/errorTypes.js';
import { ATTR, EXECUTIONS, FAILURES, INSTALLS, LATENCY, LATENCY_BOUNDARIES_MS, RATING, SUCCESSES } from '../../instruments/names.js';
import type { PrometheusSource, QuerySeries } from './PrometheusSource.js';
import { countExpr, overTimeExpr, PART_LABEL, resetsExpr, selector, taggedUnion, type ScopeMatchers } from './promql.js';

/** What a report reads of one skill over one range from a Prometheus store. */
export interface StoreTotals {
  calls: number;
  successes: number;
  failures: number;
  /** Failures per type, in ERROR_TYPES order. */
  errors: number[];
  installs: number;
  /** Calls per latency bucket over `latencyBounds`, `+Inf` last (not cumulative), successes and failures together. */
  latencyBuckets: number[];
  /** The finite `le` bounds the store's histogram has: ours (LATENCY_BOUNDARIES_MS), or those a View gave it. */
  latencyBounds: readonly number[];
  latencySumMs: number;
  /** Calls timed by the latency histogram (its `_count`). */
  timedCalls: number;
  ratingSum: number;
  ratingCount: number;
  /** Resets of the skill's execution counters in the range: > 0 makes its counts estimates. */
  resets: number;
}

/** A group of our metrics a report reads, each summed by the labels it needs. */
export type Family = 'calls' | 'failures' | 'installs' | 'latency' | 'rating' | 'resets';

/** The metric each family reads, as queried: what a report names when one is missing. */
export const FAMILY_METRICS: Readonly<Record<Family, readonly string[]>> = Object.freeze({
  calls: [EXECUTIONS.name, SUCCESSES.name],
  failures: [FAILURES.name],
  installs: [INSTALLS.name],
  latency: [`${LATENCY.name}_bucket`, `${LATENCY.name}_sum`, `${LATENCY.name}_count`],
  rating: [`${RATING.name}_sum`, `${RATING.name}_count`],
  resets: [EXECUTIONS.name],
});

/**
 * The part of one query that reads one metric: its name in the tagged union and how it is summed.
 * `edges`: read near the range's edges only (the source's `edgeLookbackMs`), checked against the calls.
 */
interface MetricPart {
  readonly key: string;
  readonly metric: string;
  readonly by: readonly string[];
  readonly resets?: boolean;
  readonly edges?: boolean;
}

const BY_SKILL = [ATTR.skillId];
const PARTS: Readonly<Record<Family, readonly MetricPart[]>> = Object.freeze({
  calls: [
    { key: 'calls', metric: EXECUTIONS.name, by: BY_SKILL },
    { key: 'successes', metric: SUCCESSES.name, by: BY_SKILL },
  ],
  failures: [{ key: 'errors', metric: FAILURES.name, by: [ATTR.skillId, ATTR.errorType] }],
  installs: [{ key: 'installs', metric: INSTALLS.name, by: BY_SKILL }],
  latency: [
    { key: 'buckets', metric: `${LATENCY.name}_bucket`, by: [ATTR.skillId, 'le'], edges: true },
    { key: 'latencySum', metric: `${LATENCY.name}_sum`, by: BY_SKILL, edges: true },
    { key: 'timed', metric: `${LATENCY.name}_count`, by: BY_SKILL, edges: true },
  ],
  rating: [
    { key: 'ratingSum', metric: `${RATING.name}_sum`, by: BY_SKILL },
    { key: 'ratingCount', metric: `${RATING.name}_count`, by: BY_SKILL },
  ],
  resets: [{ key: 'resets', metric: EXECUTIONS.name, by: BY_SKILL, resets: true }],
});

/**
 * One range a query reads, ending `offsetMs` before the evaluation time, summed over the series of
 * each skill. `mode`: `count` (the default) telescopes what the range itself counted; `last` takes
 * the last values, the totals since each process started; `max` the highest value of the range,
 * above 0 once any process had counted anything by then.
 */
export interface RangePart {
  readonly families: readonly Family[];
  readonly rangeMs: number;
  /** @default 0 */
  readonly offsetMs?: number;
  /** @default 'count' */
  readonly mode?: 'count' | 'last' | 'max';
  /** Another scope than the report's, e.g. every org and agent. */
  readonly scope?: ScopeMatchers;
  /**
   * Where the latency histogram's last values are looked for: near both edges (`edges`), over the
   * whole range for its end and near its start (`end`), or over the whole range for both (`whole`).
   * @default 'edges'
   */
  readonly latencyRead?: 'edges' | 'end' | 'whole';
}

/** Totals by skill of each named range. */
export type RangeTotals<K extends string> = Record<K, Map<string, StoreTotals>>;

/**
 * Totals by skill of several ranges in one instant query at `atMs`: each range a part of a tagged
 * union (`tw_part="name/key"`), so a report costs one request however many skills and ranges.
 *
 * The latency histogram, 34 series a skill, is read near each range's edges only, which costs the
 * same for a day or a month: exact for every series sampled within the source's `edgeLookbackMs`
 * of both edges (or born in the range). Its calls must then equal the calls counted over the whole
 * range. The skills where they do not are read again, in one more request each step at most: with
 * the range's end looked for over the whole range (a process that stopped inside it), then, for
 * those still short, its start too (a gap in the samples before the range).
 */
export async function rangeTotals<K extends string>(
  source: PrometheusSource,
  scope: ScopeMatchers,
  atMs: number,
  nowMs: number,
  ranges: Readonly<Record<K, RangePart>>,
): Promise<RangeTotals<K>> {
  const result = await readRanges(source, scope, atMs, nowMs, ranges);
  for (const latencyRead of ['end', 'whole'] as const) {
    // Only the ranges with a skill short of calls are read again, for those skills.
    const shortRanges = new Set<K>();
    const short = new Set<string>();
    for (const [name, range] of Object.entries(ranges) as [K, RangePart][]) {
      if (!range.families.includes('latency')) continue;
      for (const [skillId, t] of result[name]) {
        if (t.timedCalls === t.calls) continue;
        short.add(skillId);
        shortRanges.add(name);
      }
    }
    if (short.size === 0) break;
    const skillIds = [...short].sort();
    const again = {} as Record<K, RangePart>;
    for (const [name, range] of Object.entries(ranges) as [K, RangePart][]) {
      const families: readonly Family[] = shortRanges.has(name) ? ['latency'] : [];
      again[name] = { ...range, families, latencyRead, scope: { ...(range.scope ?? scope), skillIds } };
    }
    const reread = await readRanges(source, scope, atMs, nowMs, again);
    for (const name of shortRanges) {
      for (const [skillId, t] of reread[name]) {
        const totals = result[name].get(skillId);
        if (totals === undefined) continue;
        totals.latencyBuckets = t.latencyBuckets;
        totals.latencyBounds = t.latencyBounds;
        totals.latencySumMs = t.latencySumMs;
        totals.timedCalls = t.timedCalls;
      }
    }
  }
  return result;
}

/**
 * One instant query of every range's parts. A range that ends after `nowMs` (the current hour of a
 * relative window) is cut at `nowMs` and the query evaluated there: nothing was sampled later, and
 * its last values are those near now, where the latency histogram is read.
 */
async function readRanges<K extends string>(
  source: PrometheusSource,
  scope: ScopeMatchers,
  atMs: number,
  nowMs: number,
  ranges: Readonly<Record<K, RangePart>>,
): Promise<RangeTotals<K>> {
  // Cut at now, a sample taken at now included (the query is evaluated EDGE_MS before evaluatedAt).
  const evaluatedAt = Math.min(atMs, Math.max(nowMs + EDGE_MS, atMs - Math.min(...Object.values<RangePart>(ranges).map((r) => r.rangeMs))));
  const exprs: Record<string, string> = {};
  for (const [name, range] of Object.entries(ranges) as [K, RangePart][]) {
    const end = Math.min(atMs - (range.offsetMs ?? 0), evaluatedAt);
    const start = atMs - (range.offsetMs ?? 0) - range.rangeMs;
    const cut = { ...range, rangeMs: end - start, offsetMs: evaluatedAt - end };
    for (const part of partsOf(range.families)) {
      exprs[`${name}/${part.key}`] = expression(part, range.scope ?? scope, cut, source.edgeLookbackMs);
    }
  }
  const result = Object.fromEntries(Object.keys(ranges).map((name) => [name, new Map()])) as RangeTotals<K>;
  if (Object.keys(exprs).length === 0) return result;
  for (const series of await source.instant(taggedUnion(exprs), evaluatedAt - EDGE_MS)) {
    const [name, key] = (series.labels[PART_LABEL] ?? '').split('/') as [K, string];
    const value = series.values[0]?.[1];
    if (value !== undefined && result[name] !== undefined) add(result[name], key, series.labels, value);
  }
  return result;
}

/**
 * Totals by skill of each hour from `fromMs` to `toMs` (hour-aligned), in one range query: element
 * i holds the hour starting `fromMs + i` hours.
 */
export async function hourlyTotals(
  source: PrometheusSource,
  scope: ScopeMatchers,
  families: readonly Family[],
  fromMs: number,
  toMs: number,
): Promise<Map<string, StoreTotals>[]> {
  const hours = Math.round((toMs - fromMs) / HOUR_MS);
  const exprs: Record<string, string> = {};
  for (const part of partsOf(families)) exprs[part.key] = expression(part, scope, { families, rangeMs: HOUR_MS }, source.edgeLookbackMs);
  const result = Array.from({ length: hours }, () => new Map<string, StoreTotals>());
  if (hours === 0) return result;
  for (const series of await source.range(taggedUnion(exprs), fromMs + HOUR_MS - EDGE_MS, toMs - EDGE_MS, HOUR_MS)) {
    for (const [timeMs, value] of series.values) {
      const hour = result[Math.round((timeMs - fromMs) / HOUR_MS) - 1];
      if (hour !== undefined) add(hour, series.labels[PART_LABEL] ?? '', series.labels, value);
    }
  }
  return result;
}

/** The metric names the families read, as queried. */
export function metricsOf(families: readonly Family[]): string[] {
  return [...new Set(families.flatMap((family) => FAMILY_METRICS[family]))];
}

const HOUR_MS = 3_600_000;
/**
 * Ranges end 1 ms before their edge: a call SQLite dates at an hour's start belongs to that hour,
 * and a sample taken at that instant, which first counts it, must too. Evaluated at `to - 1 ms`, a
 * range holds the samples of `[from, to)` on Prometheus' closed ranges and VictoriaMetrics' open ones.
 */
const EDGE_MS = 1;

function partsOf(families: readonly Family[]): MetricPart[] {
  return [...new Set(families)].flatMap((family) => PARTS[family]);
}

function expression(part: MetricPart, scope: ScopeMatchers, range: RangePart, edgeLookbackMs: number): string {
  const sel = selector(part.metric, scope);
  if (part.resets === true) return resetsExpr(sel, part.by, range.rangeMs, range.offsetMs);
  if (range.mode === 'last' || range.mode === 'max') return overTimeExpr(range.mode, sel, part.by, range.rangeMs, range.offsetMs);
  if (part.edges !== true) return countExpr(sel, part.by, range.rangeMs, range.offsetMs);
  const read = range.latencyRead ?? 'edges';
  const near = Math.min(edgeLookbackMs, range.rangeMs);
  return countExpr(
    sel,
    part.by,
    range.rangeMs,
    range.offsetMs,
    read === 'edges' ? near : range.rangeMs,
    read === 'whole' ? range.rangeMs : near,
  );
}

/** A skill's totals, all zero. */
export function emptyTotals(): StoreTotals {
  return {
    calls: 0,
    successes: 0,
    failures: 0,
    errors: ERROR_TYPES.map(() => 0),
    installs: 0,
    latencyBuckets: Array.from({ length: LATENCY_BOUNDARIES_MS.length + 1 }, () => 0),
    latencyBounds: LATENCY_BOUNDARIES_MS,
    latencySumMs: 0,
    timedCalls: 0,
    ratingSum: 0,
    ratingCount: 0,
    resets: 0,
  };
}

/** The cumulative count of each `le` of each skill's totals as they arrive; the per-bucket counts are their differences. */
const cumulativeBuckets = new WeakMap<StoreTotals, Map<number, number>>();
function add(skills: Map<string, StoreTotals>, key: string, labels: QuerySeries['labels'], value: number): void {
  const skillId = labels[ATTR.skillId];
  if (skillId === undefined || skillId === '' || !Number.isFinite(value)) return;
  let totals = skills.get(skillId);
  if (totals === undefined) {
    totals = emptyTotals();
    skills.set(skillId, totals);
  }
  switch (key) {
    // Failures are calls less successes, so no report needs the failures metric only to count them.
    case 'calls':
      totals.calls = value;
      totals.failures = Math.max(0, totals.calls - totals.successes);
      break;
    case 'successes':
      totals.successes = value;
      totals.failures = Math.max(0, totals.calls - totals.successes);
      break;
    case 'errors': {
      const index = ERROR_TYPES.indexOf(labels[ATTR.errorType] as ErrorType);
      if (index >= 0) totals.errors[index] = value;
      break;
    }
    case 'installs':
      totals.installs = value;
      break;
    case 'buckets':
      addBucket(totals, labels['le'], value);
      break;
    case 'latencySum':
      totals.latencySumMs = value;
      break;
    case 'timed':
      totals.timedCalls = value;
      break;
    case 'ratingSum':
      totals.ratingSum = value;
      break;
    case 'ratingCount':
      totals.ratingCount = value;
      break;
    case 'resets':
      totals.resets = value;
      break;
  }
}

/**
 * Keeps the cumulative count of bucket `le` and recomputes the per-bucket counts over the bounds
 * seen. A count below the one of a lower bound (a bucket a View left out reads as 0) is carried up,
 * so the counts stay monotone.
 */
function addBucket(totals: StoreTotals, le: string | undefined, value: number): void {
  const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
  if (le === undefined || Number.isNaN(bound)) return;
  let cumulative = cumulativeBuckets.get(totals);
  if (cumulative === undefined) {
    cumulative = new Map();
    cumulativeBuckets.set(totals, cumulative);
  }
  cumulative.set(bound, value);
  const bounds = [...cumulative.keys()].filter(Number.isFinite).sort((a, b) => a - b);
  const buckets: number[] = [];
  let below = 0;
  for (const upper of [...bounds, Number.POSITIVE_INFINITY]) {
    const at = Math.max(cumulative.get(upper) ?? below, below);
    buckets.push(at - below);
    below = at;
  }
  totals.latencyBounds = sameBounds(bounds, LATENCY_BOUNDARIES_MS) ? LATENCY_BOUNDARIES_MS : bounds;
  totals.latencyBuckets = buckets;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}
