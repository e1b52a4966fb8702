import type Database from 'better-sqlite3';
import { sqliteTime } from '../store/schema.js';
import { AgentTotals, BoardSource } from './boardSource.js';
import { assertAgentSchema, oneOfOption, reportScope, wholeNumberOption, type CallReportOptions, type ReportScope } from './reportScope.js';
import {
  rankByImprovement,
  rankByRating,
  rankBySuccessRate,
  rankByUsage,
  rankTrendingNew,
  type EntryDetails,
  type RankedSkill,
} from './rankings.js';
import { timeMs, type TimeRange } from './window.js';
import { isPrometheusSource } from './prometheus/isPrometheusSource.js';
import type { PrometheusSource } from './prometheus/PrometheusSource.js';
import { storeRanking } from './prometheus/storeBoard.js';
import { sqliteOnly } from './prometheus/sqliteOnly.js';

/** What a leaderboard ranks. */
export const LEADERBOARD_METRICS = Object.freeze(['usage', 'rating', 'success_rate', 'most_improved', 'trending_new'] as const);

/** One of {@link LEADERBOARD_METRICS}. */
export type LeaderboardMetric = (typeof LEADERBOARD_METRICS)[number];

/** Options of {@link leaderboard}. */
export interface LeaderboardOptions extends CallReportOptions {
  /** What to rank. */
  metric: LeaderboardMetric;
  /** Entries returned, 1 or more. @default 10 */
  limit?: number;
  /** Calls in a window a skill needs to be ranked by success_rate or most_improved, 1 or more. @default 20 */
  minCalls?: number;
}

/** One place on a board. */
export interface LeaderboardEntry {
  /** 1 is the top; ranks run 1..n without gaps or ties. */
  rank: number;
  skillId: string;
  /** The value ranked: calls, stars, a share from 0 to 1 or health points, after the metric. */
  score: number;
  /** Rank on the same board over the previous window of the same length; null when not on it. */
  previousRank: number | null;
  /** previousRank - rank: positive moved up; null when new on the board. */
  rankChange: number | null;
  /** The figures behind the score. */
  details: EntryDetails;
  /** Only from a Prometheus source: a counter of this skill was reset in the windows read, so its figures are estimates. */
  estimate?: boolean;
}

/** A ranked board. */
export interface Leaderboard {
  metric: LeaderboardMetric;
  /** The window's label: '7d', or 'from..to'. */
  window: string;
  orgId: string | undefined;
  /** The agent whose calls it ranks; undefined for every agent's. */
  agentName: string | undefined;
  /** When the ranking was computed, SQLite UTC time. */
  computedAt: string;
  entries: LeaderboardEntry[];
  /**
   * Only from a Prometheus source: true when a counter of a ranked skill was reset in the windows
   * read (a process restarted), so its counts, and so the order, are estimates; each entry says
   * whether its own are (docs/fleet.md). SQLite counts are exact.
   */
  estimate?: boolean;
}

/** The defaults of {@link LeaderboardOptions}. */
export const LEADERBOARD_DEFAULTS = Object.freeze({ limit: 10, minCalls: 20 });

/** A skill is trending-new when its first use lies within this many window lengths before the window's end. */
export const TRENDING_LOOKBACK_WINDOWS = 4;

interface BoardRequest extends ReportScope {
  readonly metric: LeaderboardMetric;
  readonly limit: number;
  readonly minCalls: number;
}

/** One place of the full ranking, before `limit` cuts it. */
interface BoardRow {
  readonly rank: number;
  readonly skillId: string;
  readonly score: number;
  readonly previousRank: number | null;
  readonly details: EntryDetails;
}

/**
 * The top skills by one metric over a window, each with its rank change against the previous
 * window of the same length (see docs/analytics.md for every formula):
 *
 * - `usage`: calls;
 * - `rating`: Bayesian average of the window's ratings, prior = the window's mean rating over 10 votes;
 * - `success_rate`: successes / calls among skills with at least `minCalls` calls, ties by calls;
 * - `most_improved`: rise of the health score from the previous window, both with at least `minCalls` calls;
 * - `trending_new`: calls of skills first used within the last 4 window lengths.
 *
 * Computed on every call from the write-time aggregates, so new calls show at once and nothing is
 * written: reads only skill_usage_by_day, skill_usage_hourly, skill_user_first and skill_metrics.
 *
 * @throws {TypeError|RangeError} on an unknown metric, a malformed window or an out-of-range option.
 */
export function leaderboard(db: Database.Database, options: LeaderboardOptions): Leaderboard;
/** The same board from a Prometheus store's query API (docs/fleet.md): one to three requests. */
export function leaderboard(source: PrometheusSource, options: LeaderboardOptions): Promise<Leaderboard>;
export function leaderboard(from: Database.Database | PrometheusSource, options: LeaderboardOptions): Leaderboard | Promise<Leaderboard> {
  if (isPrometheusSource(from)) return storeBoard(from, options);
  const request = boardRequest(from, options);
  return board(request, sqliteTime(request.now), rankBoard(from, request));
}

async function storeBoard(source: PrometheusSource, options: LeaderboardOptions): Promise<Leaderboard> {
  const request = boardRequest(source, options);
  const { current, previous, estimated } = await storeRanking(source, { ...request, lookbackWindows: TRENDING_LOOKBACK_WINDOWS });
  const ranked = board(request, sqliteTime(request.now), numbered(current, previous));
  // A reset moves a skill's place and those it passes: the board is an estimate when any ranked skill's counts are.
  const estimate = [...current, ...previous].some((skill) => estimated.has(skill.skillId));
  return { ...ranked, entries: ranked.entries.map((entry) => ({ ...entry, estimate: estimated.has(entry.skillId) })), estimate };
}

/**
 * The board of each agent: for every agent with calls, ratings or installs in the window, in name
 * order, {@link leaderboard} over that agent's activity alone (`agentName`), boards without an entry
 * left out. Calls without an agent are on no agent's board, only on the board of every agent.
 * @throws {TypeError|RangeError} as {@link leaderboard}, and on an `agentName` (one agent's board is `leaderboard`'s).
 */
export function leaderboardsByAgent(db: Database.Database, options: Omit<LeaderboardOptions, 'agentName'>): Leaderboard[] {
  const caller = 'leaderboardsByAgent';
  sqliteOnly(
    caller,
    db,
    'leaderboardsByAgent reads the SQLite source only: from a Prometheus source, ask leaderboard for each agent with { agentName } ' +
      '(the agents are the values of the agent_name label)',
  );
  if (typeof options === 'object' && options !== null && (options as LeaderboardOptions).agentName !== undefined)
    throw new TypeError(
      `${caller}: option "agentName" is not one of its options: it ranks every agent; for one agent's board use leaderboard`,
    );
  const request = boardRequest(db, options, caller);
  assertAgentSchema(caller, db);
  const computedAt = sqliteTime(request.now);
  // Each range is read once for every agent; the agents of the window are those with rows in it.
  const totals = new AgentTotals(db, request.orgId);
  const agents = [...totals.counts(request.window).keys()].filter((agentName) => agentName !== '').sort();
  return agents
    .map((agentName) => board({ ...request, agentName }, computedAt, rankBoard(db, { ...request, agentName }, totals)))
    .filter((agentBoard) => agentBoard.entries.length > 0);
}

function boardRequest(db: Database.Database | PrometheusSource, options: LeaderboardOptions, caller = 'leaderboard'): BoardRequest {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${caller}: options must be an object with a "metric"`);
  return {
    ...reportScope(caller, options, db),
    metric: oneOfOption(caller, 'metric', options.metric, LEADERBOARD_METRICS),
    limit: wholeNumberOption(caller, 'limit', options.limit, 1, LEADERBOARD_DEFAULTS.limit),
    minCalls: wholeNumberOption(caller, 'minCalls', options.minCalls, 1, LEADERBOARD_DEFAULTS.minCalls),
  };
}

function board(request: BoardRequest, computedAt: string, rows: readonly BoardRow[]): Leaderboard {
  const entries = rows.slice(0, request.limit).map(({ rank, skillId, score, previousRank, details }) => ({
    rank,
    skillId,
    score,
    previousRank,
    rankChange: previousRank === null ? null : previousRank - rank,
    details,
  }));
  const { metric, window, orgId, agentName } = request;
  return { metric, window: window.label, orgId, agentName, computedAt, entries };
}

/** The full ranking over the window, each skill with its rank over the previous window; `shared`: the totals of every agent. */
function rankBoard(db: Database.Database, request: BoardRequest, shared?: AgentTotals): BoardRow[] {
  const { orgId, agentName, minCalls, window } = request;
  const source = new BoardSource(db, { orgId, agentName, minCalls, lengthMs: window.lengthMs }, shared);
  const rank = RANKERS[request.metric];
  return numbered(rank(source, request.window), rank(source, request.window.previous));
}

/** The ranking numbered from 1, each place with its rank in `previous`. */
function numbered(current: readonly RankedSkill[], previous: readonly RankedSkill[]): BoardRow[] {
  const previousRanks = new Map(previous.map((skill, i) => [skill.skillId, i + 1]));
  return current.map(({ skillId, score, details }, i) => ({
    rank: i + 1,
    skillId,
    score,
    previousRank: previousRanks.get(skillId) ?? null,
    details,
  }));
}

type Ranker = (source: BoardSource, range: TimeRange) => RankedSkill[];

const RANKERS: Readonly<Record<LeaderboardMetric, Ranker>> = Object.freeze({
  usage: (source, range) => rankByUsage(source.counts(range)),
  rating: (source, range) => rankByRating(source.counts(range)),
  success_rate: (source, range) => rankBySuccessRate(source.counts(range), source.minCalls),
  most_improved: (source, range) => rankByImprovement(source.health(range), source.health(source.before(range)), source.minCalls),
  trending_new: (source, range) => {
    const counts = source.counts(range);
    const since = sqliteTime(timeMs(range.to) - TRENDING_LOOKBACK_WINDOWS * source.lengthMs);
    return rankTrendingNew(counts, source.firstUse(counts.keys()), since);
  },
});
